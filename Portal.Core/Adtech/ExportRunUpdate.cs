using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Adtech;

/// <summary>One change to a recorded run, in a context of its own (exports and syncs record their runs step by step).</summary>
internal static class ExportRunUpdate
{
    public static async Task ApplyAsync(IDbContextFactory<PortalDbContext> dbFactory, long runId, Action<ExportRun> change, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.ExportRuns.SingleAsync(r => r.Id == runId, cancellationToken);
        change(run);
        await db.SaveChangesAsync(cancellationToken);
    }
}
