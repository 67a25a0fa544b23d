using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Core.Uploads;

/// <summary>The type a CSV column's text must parse as (invariant culture). Every type but String is trimmed first.</summary>
public enum ColumnType
{
    /// <summary>A whole number: <c>-12</c>.</summary>
    Int64,

    /// <summary>Money, at most two decimal places: <c>1234.50</c> (Parquet decimal(18,2)).</summary>
    Decimal,

    /// <summary>A floating-point number: <c>0.25</c>, <c>1e-3</c>.</summary>
    Double,

    /// <summary>Text, kept exactly as written.</summary>
    String,

    /// <summary>ISO 8601 date and time, <c>2024-03-01 14:05:00</c> or <c>2024-03-01T14:05:00Z</c>; taken as UTC without an offset.</summary>
    DateTime,

    /// <summary>ISO 8601 date: <c>2024-03-01</c>.</summary>
    Date,
}

/// <summary>How a dataset's stored files are split.</summary>
public enum PartitionKind
{
    /// <summary>One partition, named <see cref="DatasetSchema.WholePartition"/>.</summary>
    None,

    /// <summary>By calendar quarter, named like <c>2024-Q1</c>; every upload says which quarter it holds.</summary>
    Quarter,
}

/// <summary>
/// One declared column: its name (the CSV header and the Parquet column), type, whether a row without a value is
/// dropped (<paramref name="Required"/>), and whether it is part of the row's key (rows whose key is already stored are
/// dropped). <paramref name="Minimum"/> and <paramref name="Maximum"/> bound an Int64 column, <paramref name="MaxLength"/>
/// a String column (the table column's length); <paramref name="References"/> names the table whose key the value must
/// be (a transaction's user), checked against the database. <paramref name="Pii"/> marks personal data (a customer's
/// name, email, phone, zip code): messages about a value of such a column name the line and column, never the value.
/// </summary>
public sealed record DatasetColumn(
    string Name,
    ColumnType Type,
    bool Required = true,
    bool Key = false,
    string? Description = null,
    long? Minimum = null,
    long? Maximum = null,
    string? References = null,
    int? MaxLength = null,
    bool Pii = false);

/// <summary>
/// A dataset that CSV files are imported into: its columns, key, partitioning, the database table its rows are also
/// loaded into (null when the rows stay in the bucket only), and the DateTime column its data health counts rows by
/// (<paramref name="HealthDate"/>; null: by the day of the import).
/// </summary>
public sealed partial record DatasetSchema(
    string Name,
    string DisplayName,
    string Description,
    IReadOnlyList<DatasetColumn> Columns,
    PartitionKind Partition,
    string? Table = null,
    string? HealthDate = null)
{
    /// <summary>The partition of a dataset that is not partitioned.</summary>
    public const string WholePartition = "all";

    public IReadOnlyList<DatasetColumn> KeyColumns => [.. Columns.Where(c => c.Key)];

    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The partition in its stored form (<c>2024-q1</c> becomes <c>2024-Q1</c>; empty or "all" for an unpartitioned
    /// dataset), or the reason it is not one of this dataset's partitions.
    /// </summary>
    public bool TryNormalizePartition(string? partition, out string normalized, out string? error)
    {
        var text = partition?.Trim() ?? "";
        normalized = "";
        error = null;
        if (Partition == PartitionKind.None)
        {
            if (text.Length == 0 || string.Equals(text, WholePartition, StringComparison.OrdinalIgnoreCase))
            {
                normalized = WholePartition;
                return true;
            }

            error = $"The dataset '{Name}' is not partitioned: leave the partition empty (or '{WholePartition}'), not '{text}'.";
            return false;
        }

        var match = QuarterPattern().Match(text);
        if (!match.Success)
        {
            error = text.Length == 0
                ? $"The dataset '{Name}' is partitioned by quarter: say which one, like 2024-Q1."
                : $"'{text}' is not a quarter: write it like 2024-Q1 (year 2000–2099, quarter 1–4).";
            return false;
        }

        normalized = string.Create(CultureInfo.InvariantCulture, $"{match.Groups[1].Value}-Q{match.Groups[2].Value}");
        return true;
    }

    [GeneratedRegex(@"^(20\d\d)-[Qq]([1-4])$", RegexOptions.CultureInvariant)]
    private static partial Regex QuarterPattern();
}
