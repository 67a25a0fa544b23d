using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The snapshot a first export leaves, made by the upload's own hashing: as each batch is hashed for its request body,
/// its members' records (with their raw digests) are packed on every core and spread over <see cref="KeyPartitions"/>,
/// so that after the export succeeded <see cref="MirrorSync.SeedAsync(string, string, ExportSeed, CancellationToken)"/>
/// writes the snapshot a partition at a time, without reading or hashing the members again and without sorting during
/// the upload. <see cref="Complete"/> only when the upload hashed every member from the first (a resumed upload skips
/// the batches committed before: then the seed reads the members itself). The partitions live in a work folder deleted
/// on dispose.
/// </summary>
public sealed class ExportSeed(string folder, int runBytes) : IAsyncDisposable
{
    private readonly KeyPartitions _partitions = new(folder);
    private readonly RunBuffer _batch = new(runBytes);
    private byte[] _seed = [];
    private HashedMember?[] _hashed = [];
    private byte[] _digests = [];
    private int[] _invalid = [];
    private bool _started;

    /// <summary>True once the upload packed every one of its members (from the first) into the partitions.</summary>
    public bool Complete { get; private set; }

    /// <summary>Starts recording an upload that sends every member from the first, hashed as <paramref name="normalization"/> says.</summary>
    internal void Start(NormalizationOptions normalization)
    {
        _seed = RawDigest.Seed(normalization);
        _started = true;
        Directory.CreateDirectory(_partitions.Folder);
    }

    /// <summary>Hashes member <paramref name="i"/> of <paramref name="batch"/> as the upload does, noting its raw digest and invalid values (on any thread).</summary>
    internal HashedMember Hash(HashStats local, MemberBatch batch, int i, NormalizationOptions normalization)
    {
        RawDigest.Compute(_seed, batch, i, _digests.AsSpan(i * RawDigest.Size, RawDigest.Size));
        var invalid = local.Invalid;
        var member = local.Hash(batch, i, normalization);
        _invalid[i] = (int)(local.Invalid - invalid);
        _hashed[i] = member;
        return member;
    }

    /// <summary>Makes room for a batch of <paramref name="count"/> members, before <see cref="Hash"/>.</summary>
    internal void Reserve(int count)
    {
        if (_hashed.Length < count)
        {
            _hashed = new HashedMember?[count];
            _digests = new byte[count * RawDigest.Size];
            _invalid = new int[count];
        }
    }

    /// <summary>Packs the batch of <paramref name="count"/> members just hashed as records and adds them to their partitions.</summary>
    internal void Add(int count)
    {
        _batch.MakeRoom(RunBuffer.BytesFor(_hashed, count), count);
        var offsets = _batch.Pack(_hashed, count, _digests, _invalid);
        for (var i = 0; i < count; i++)
        {
            if (offsets[i] >= 0)
            {
                _partitions.Add(_batch.Record(offsets[i]));
            }
        }

        _batch.Clear();
        Array.Clear(_hashed, 0, count);
    }

    /// <summary>Closes the partitions: every member of the upload is in them.</summary>
    internal async Task FinishAsync()
    {
        await _partitions.CloseAsync();
        Complete = _started;
    }

    /// <summary>The members the upload recorded, in key order, each once.</summary>
    internal RecordSource Open() => _partitions.Open(runBytes);

    public ValueTask DisposeAsync() => _partitions.DisposeAsync();
}
