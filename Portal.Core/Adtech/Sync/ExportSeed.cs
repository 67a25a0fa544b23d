using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The snapshot a first export leaves, made by the upload's own hashing: as each batch is hashed for its request body,
/// its members' raw digests and records are packed into sorted runs (as <see cref="MemberSorter"/> does), so that after
/// the export succeeded <see cref="MirrorSync.SeedAsync(string, string, ExportSeed, CancellationToken)"/> writes the
/// snapshot from the runs without reading or hashing the members again. <see cref="Complete"/> only when the upload
/// hashed every member from the first (a resumed upload skips the batches committed before: then the seed reads the
/// members itself). The runs live in a work folder deleted on dispose.
/// </summary>
public sealed class ExportSeed(string folder, int runBytes) : IAsyncDisposable
{
    private readonly SortedMembers _sorted = new(folder);
    private readonly RunBuffer _run = new(runBytes);
    private byte[] _seed = [];
    private HashedMember?[] _hashed = [];
    private byte[] _digests = [];
    private int[] _invalid = [];
    private bool _started;

    /// <summary>True once the upload packed every one of its members (from the first) into the runs.</summary>
    public bool Complete { get; private set; }

    internal SortedMembers Sorted => _sorted;

    /// <summary>Starts recording an upload that sends every member from the first, hashed as <paramref name="normalization"/> says.</summary>
    internal void Start(NormalizationOptions normalization)
    {
        _seed = RawDigest.Seed(normalization);
        _started = true;
        Directory.CreateDirectory(_sorted.Folder);
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

    /// <summary>Packs the batch of <paramref name="count"/> members just hashed into the runs.</summary>
    internal async Task AddAsync(int count, CancellationToken cancellationToken)
    {
        await MemberSorter.PackAsync(_hashed, count, _digests, _invalid, _run, _sorted, cancellationToken);
        Array.Clear(_hashed, 0, count);
    }

    /// <summary>Writes the last run: every member of the upload is in the runs.</summary>
    internal async Task FinishAsync(CancellationToken cancellationToken)
    {
        await MemberSorter.FlushRunAsync(_run, _sorted, cancellationToken);
        Complete = _started;
    }

    public ValueTask DisposeAsync() => _sorted.DisposeAsync();
}
