using System.Text;

namespace Portal.Core.Adtech.Sync;

/// <summary>The kinds of file the mirror keeps and works with, told apart by their first bytes.</summary>
public static class MirrorFiles
{
    /// <summary>What an adtech holds of an audience (in the bucket).</summary>
    public static ReadOnlyMemory<byte> Snapshot { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-SNAPSHOT-2\n");

    /// <summary>One batch the adtech accepted since the snapshot (in the bucket).</summary>
    public static ReadOnlyMemory<byte> Journal { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-JOURNAL-2\n");

    /// <summary>The raw digests of what the adtech holds (the snapshot with the journal it covers), beside it (in the bucket).</summary>
    public static ReadOnlyMemory<byte> Digests { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-DIGESTS-2\n");

    /// <summary>Digests of the first format (of the snapshot alone, no journal covered), still read.</summary>
    public static ReadOnlyMemory<byte> LegacyDigests { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-DIGESTS-1\n");

    /// <summary>A snapshot of the first format (records without facts), still read.</summary>
    public static ReadOnlyMemory<byte> LegacySnapshot { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-SNAPSHOT-1\n");

    /// <summary>A journal object of the first format, still read.</summary>
    public static ReadOnlyMemory<byte> LegacyJournal { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-JOURNAL-1\n");

    /// <summary>Work files of one sync (local, deleted after it): sorted runs of the current members, the adds, the removes.</summary>
    public static ReadOnlyMemory<byte> Work { get; } = Encoding.ASCII.GetBytes("PORTAL-MIRROR-WORK-2\n");

    /// <summary>A reader of a local work file.</summary>
    public static RecordReader OpenWork(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous), Work, Path.GetFileName(path));

    /// <summary>A new local work file.</summary>
    public static FileStream CreateWork(string path) =>
        new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
}
