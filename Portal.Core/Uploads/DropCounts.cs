namespace Portal.Core.Uploads;

/// <summary>Rows dropped, by reason. The reader and the writer each count in their own, added up once the file is read.</summary>
internal sealed class DropCounts
{
    /// <summary>Equal to an earlier row of the file.</summary>
    public long Duplicates;

    /// <summary>Without a value in a required column.</summary>
    public long Missing;

    /// <summary>A key kept earlier in the file, or stored in the partition's files.</summary>
    public long Existing;

    /// <summary>A key the dataset's table already has.</summary>
    public long ExistingInTable;
}
