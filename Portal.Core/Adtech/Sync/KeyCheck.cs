using System.IO.Hashing;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// How many records a snapshot has and an XxHash128 of their keys in order: written with a snapshot's digests and
/// computed again while the snapshot is read, so digests of another snapshot (a crash between the two writes) are
/// never trusted.
/// </summary>
internal sealed class KeyCheck
{
    private readonly XxHash128 _hash = new();

    public long Count { get; private set; }

    public void Add(ReadOnlySpan<byte> record)
    {
        _hash.Append(MirrorRecord.Key(record));
        Count++;
    }

    public byte[] Value() => _hash.GetCurrentHash();
}
