using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Data;

internal static class MoneyColumn
{
    /// <summary>
    /// decimal(18,2) on SQL Server. SQLite has no decimal type: there amounts are REAL, so that SQL sums and
    /// comparisons (dashboard totals, segment rules) are numeric rather than text.
    /// </summary>
    public static PropertyBuilder<decimal> HasMoney(this PropertyBuilder<decimal> property, bool sqlite) =>
        sqlite ? property.HasConversion<double>() : property.HasPrecision(18, 2);
}
