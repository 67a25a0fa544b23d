using System.Globalization;
using MudBlazor;
using Portal.Core.Uploads;

namespace Portal.Components.Pages.Uploads;

/// <summary>How the Uploads page writes counts, sizes, times, statuses and a dataset's columns, the same in every part of it.</summary>
public static class UploadFormat
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double share) => (share * 100).ToString(share is > 0 and < 0.001 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " %";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.##} GB"),
    };

    public static string Time(DateTime? value) => value?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "—";

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The first 12 hex digits of a SHA-256, enough to tell files apart at a glance.</summary>
    public static string ShortChecksum(string? checksum) => checksum is null ? "—" : checksum.Length <= 12 ? checksum : checksum[..12];

    public static string Duration(long ms) => ms < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.0} s");

    public static string Label(ImportStatus status) => status.ToString();

    public static Color ColorOf(ImportStatus status) => status switch
    {
        ImportStatus.Imported => Color.Success,
        ImportStatus.Rejected => Color.Error,
        ImportStatus.Replaced => Color.Default,
        _ => Color.Warning,
    };

    public static string IconOf(ImportStatus status) => status switch
    {
        ImportStatus.Imported => Icons.Material.Filled.CheckCircle,
        ImportStatus.Rejected => Icons.Material.Filled.Block,
        ImportStatus.Replaced => Icons.Material.Filled.SwapHoriz,
        _ => Icons.Material.Filled.ErrorOutline,
    };

    public static string Source(ImportSource source) => source == ImportSource.DropFolder ? "drop folder" : "upload";

    public static string DisplayName(string dataset) => DatasetCatalog.Find(dataset)?.DisplayName ?? dataset;

    public static string TypeLabel(ColumnType type) => type switch
    {
        ColumnType.Int64 => "integer",
        ColumnType.Decimal => "decimal (2 places)",
        ColumnType.Double => "number",
        ColumnType.String => "text",
        ColumnType.DateTime => "date-time (UTC)",
        _ => "date",
    };

    /// <summary>What else a value of the column must be: its description (or else its bounds), length and the table it refers to.</summary>
    public static string Notes(DatasetColumn column)
    {
        var notes = new List<string>();
        if (!string.IsNullOrEmpty(column.Description))
        {
            notes.Add(column.Description.TrimEnd('.'));
        }
        else if (column.Minimum is not null || column.Maximum is not null)
        {
            notes.Add((column.Minimum, column.Maximum) switch
            {
                ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $"{min}–{max}"),
                ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $"≥ {min}"),
                (_, var max) => string.Create(CultureInfo.InvariantCulture, $"≤ {max}"),
            });
        }

        if (column.MaxLength is { } length)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"≤ {length} characters"));
        }

        if (column.References is { } table && column.Description?.Contains(table, StringComparison.Ordinal) != true)
        {
            notes.Add($"must exist in {table}");
        }

        return string.Join("; ", notes);
    }

    /// <summary>The header line a file for the dataset starts with.</summary>
    public static string HeaderLine(DatasetSchema schema) => string.Join(",", schema.Columns.Select(c => c.Name));

    /// <summary>A link that downloads a CSV template (the header line alone) without asking the server.</summary>
    public static string TemplateHref(DatasetSchema schema) => "data:text/csv;charset=utf-8," + Uri.EscapeDataString(HeaderLine(schema) + "\n");

    /// <summary>The quarters around today, newest first, for the partition picker.</summary>
    public static IReadOnlyList<string> RecentQuarters(DateTime today, int count = 8)
    {
        var quarters = new List<string>(count);
        var year = today.Year;
        var quarter = ((today.Month - 1) / 3) + 1;
        for (var i = 0; i < count; i++)
        {
            quarters.Add(string.Create(CultureInfo.InvariantCulture, $"{year}-Q{quarter}"));
            if (--quarter == 0)
            {
                quarter = 4;
                year--;
            }
        }

        return quarters;
    }
}
