using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Records packed one after another in one array, with an entry (key prefix, offset) per record to sort them by; kept
/// and reused from run to run. Starts small and grows up to <c>maxBytes</c> (a sync that hashes few members keeps it
/// small); beyond that only when one chunk alone is larger.
/// </summary>
internal sealed class RunBuffer(int maxBytes)
{
    private const int StartBytes = 1 << 20;

    private byte[] _bytes = new byte[Math.Min(maxBytes, StartBytes)];
    private int _length;
    private Entry[] _entries = new Entry[Math.Max(1024, Math.Min(maxBytes, StartBytes) / 128)];
    private int[] _offsets = new int[MemberSorter.ChunkSize];

    public int Count { get; private set; }

    /// <summary>True when the records fit, growing the buffer up to its size if need be.</summary>
    public bool Fits(int bytes, int records)
    {
        if (_length + bytes <= _bytes.Length && Count + records <= _entries.Length)
        {
            return true;
        }

        if (_length + bytes > maxBytes || Count + records > Math.Max(1024, maxBytes / 128))
        {
            return false;
        }

        var size = (int)Math.Min(maxBytes, Math.Max(_length + bytes, 2L * _bytes.Length));
        Array.Resize(ref _bytes, Math.Max(size, _bytes.Length));
        Array.Resize(ref _entries, Math.Max(Math.Max(1024, size / 128), Math.Max(_entries.Length, Count + records)));
        return true;
    }

    /// <summary>Makes room in an empty buffer for a chunk larger than it.</summary>
    public void Reserve(int bytes, int records)
    {
        if (bytes > _bytes.Length)
        {
            _bytes = new byte[bytes];
        }

        if (records > _entries.Length)
        {
            _entries = new Entry[records];
        }
    }

    /// <summary>
    /// Places the members that kept an identifier (the others, and nulls, get -1) and returns where each one's record goes, for
    /// <see cref="Write"/> to fill (on any thread).
    /// </summary>
    public int[] Append(ReadOnlySpan<HashedMember?> members)
    {
        if (_offsets.Length < members.Length)
        {
            _offsets = new int[members.Length];
        }

        for (var i = 0; i < members.Length; i++)
        {
            if (members[i] is not { IsEmpty: false } member)
            {
                _offsets[i] = -1;
                continue;
            }

            _offsets[i] = _length;
            _entries[Count++] = new Entry(0, _length);
            _length += MirrorRecord.Length(member);
        }

        return _offsets;
    }

    public void Write(HashedMember member, int offset, ReadOnlySpan<byte> digest, int invalid) =>
        MirrorRecord.Write(member, _bytes.AsSpan(offset, MirrorRecord.Length(member)), digest, invalid);

    /// <summary>Sorts the records by key.</summary>
    public void Sort()
    {
        for (var i = 0; i < Count; i++)
        {
            _entries[i] = _entries[i] with { Prefix = MirrorRecord.Prefix(_bytes.AsSpan(_entries[i].Offset)) };
        }

        Array.Sort(_entries, 0, Count, new EntryComparer(_bytes));
    }

    /// <summary>Writes the sorted records, each key once; returns how many were left out as the same member again.</summary>
    public async ValueTask<long> WriteDistinctAsync(RecordWriter writer, CancellationToken cancellationToken)
    {
        long duplicates = 0;
        for (var i = 0; i < Count; i++)
        {
            if (i > 0 && Same(_entries[i - 1], _entries[i]))
            {
                duplicates++;
                continue;
            }

            writer.Add(Record(_entries[i].Offset));
            await writer.FlushIfFullAsync(cancellationToken);
        }

        return duplicates;
    }

    public void Clear() => _length = Count = 0;

    private bool Same(Entry a, Entry b) =>
        a.Prefix == b.Prefix && MirrorRecord.Compare(_bytes.AsSpan(a.Offset), _bytes.AsSpan(b.Offset)) == 0;

    private ReadOnlySpan<byte> Record(int offset) => _bytes.AsSpan(offset, MirrorRecord.Length(_bytes.AsSpan(offset)));

    private readonly record struct Entry(ulong Prefix, int Offset);

    private sealed class EntryComparer(byte[] bytes) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y) =>
            x.Prefix != y.Prefix ? x.Prefix.CompareTo(y.Prefix) : MirrorRecord.Compare(bytes.AsSpan(x.Offset), bytes.AsSpan(y.Offset));
    }
}
