using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Records packed one after another in one array (from hashed members, or read from a file of records), with an entry
/// (key prefix, offset, length) per record to sort them by; kept and reused from run to run. Starts small and grows up
/// to <c>maxBytes</c> (a sync that hashes few members keeps it small); beyond that only when one chunk alone is larger,
/// or to hold a file loaded whole.
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

    /// <summary>Makes room in an empty buffer: grown up to its size, or beyond for a chunk larger than it.</summary>
    public void MakeRoom(int bytes, int records)
    {
        if (!Fits(bytes, records))
        {
            Reserve(bytes, records);
        }
    }

    private void Reserve(int bytes, int records)
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

    /// <summary>The bytes the records of the first <paramref name="count"/> members take (nulls and members left without a value take none).</summary>
    public static int BytesFor(HashedMember?[] members, int count)
    {
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            bytes += members[i] is { IsEmpty: false } member ? MirrorRecord.Length(member) : 0;
        }

        return bytes;
    }

    /// <summary>
    /// Packs the first <paramref name="count"/> members as records, written on every core with their raw digests and
    /// invalid counts; returns where each one's record starts (-1 for nulls and members left without a value). The
    /// caller made room (<see cref="Fits"/>, <see cref="MakeRoom"/>).
    /// </summary>
    public int[] Pack(HashedMember?[] members, int count, byte[] digests, int[] invalid)
    {
        if (_offsets.Length < count)
        {
            _offsets = new int[count];
        }

        for (var i = 0; i < count; i++)
        {
            if (members[i] is not { IsEmpty: false } member)
            {
                _offsets[i] = -1;
                continue;
            }

            var length = MirrorRecord.Length(member);
            _offsets[i] = _length;
            _entries[Count++] = new Entry(0, _length, length);
            _length += length;
        }

        var offsets = _offsets;
        Parallel.For(0, count, i =>
        {
            if (offsets[i] >= 0)
            {
                MirrorRecord.Write(members[i]!, _bytes.AsSpan(offsets[i], MirrorRecord.Length(members[i]!)), digests.AsSpan(i * RawDigest.Size, RawDigest.Size), invalid[i]);
            }
        });
        return offsets;
    }

    /// <summary>
    /// Reads <paramref name="bytes"/> bytes of packed records from <paramref name="file"/> into the empty buffer (grown to
    /// hold them, whatever its size), an entry each.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes end in the middle of a record.</exception>
    public void Load(Stream file, int bytes, string name)
    {
        if (_bytes.Length < bytes)
        {
            _bytes = new byte[bytes + (bytes / 8)]; // files of about one size follow: not a new array for each a little larger
        }

        file.ReadExactly(_bytes, 0, bytes);
        var at = 0;
        while (at < bytes)
        {
            if (bytes - at < MirrorRecord.HeaderSize || MirrorRecord.Length(_bytes.AsSpan(at)) is var length && length > bytes - at)
            {
                throw new InvalidDataException($"{name} ends in the middle of a record");
            }

            if (Count == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            _entries[Count++] = new Entry(0, at, length);
            at += length;
        }

        _length = bytes;
    }

    /// <summary>Copies one record into the buffer; the caller made room (<see cref="Fits"/>).</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        record.CopyTo(_bytes.AsSpan(_length));
        _entries[Count++] = new Entry(0, _length, record.Length);
        _length += record.Length;
    }

    /// <summary>The record at <paramref name="offset"/> (as <see cref="Pack"/> returned it).</summary>
    public ReadOnlySpan<byte> Record(int offset) => _bytes.AsSpan(offset, MirrorRecord.Length(_bytes.AsSpan(offset)));

    /// <summary>The record <paramref name="index"/>th in order (after <see cref="Sort"/>: in key order).</summary>
    public ReadOnlySpan<byte> RecordAt(int index) => _bytes.AsSpan(_entries[index].Offset, _entries[index].Length);

    /// <summary>True when the record <paramref name="index"/>th in key order has the key of the one before it (after <see cref="Sort"/>).</summary>
    public bool IsRepeat(int index) => index > 0 && Same(_entries[index - 1], _entries[index]);

    /// <summary>
    /// Sorts the records by key: by the key's first 8 bytes as a number (a sort without a comparer object, several times
    /// faster), then each group of entries with the same first 8 bytes (the same member twice, or keys that share them)
    /// by the whole key.
    /// </summary>
    public void Sort()
    {
        for (var i = 0; i < Count; i++)
        {
            _entries[i] = _entries[i] with { Prefix = MirrorRecord.Prefix(_bytes.AsSpan(_entries[i].Offset)) };
        }

        Array.Sort(_entries, 0, Count);
        var comparer = new EntryComparer(_bytes);
        for (var start = 0; start < Count - 1;)
        {
            var end = start + 1;
            while (end < Count && _entries[end].Prefix == _entries[start].Prefix)
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(_entries, start, end - start, comparer);
            }

            start = end;
        }
    }

    /// <summary>Writes the sorted records, each key once; returns how many were left out as the same member again.</summary>
    public async ValueTask<long> WriteDistinctAsync(RecordWriter writer, CancellationToken cancellationToken)
    {
        long duplicates = 0;
        for (var i = 0; i < Count; i++)
        {
            if (IsRepeat(i))
            {
                duplicates++;
                continue;
            }

            writer.Add(RecordAt(i));
            await writer.FlushIfFullAsync(cancellationToken);
        }

        return duplicates;
    }

    public void Clear() => _length = Count = 0;

    private bool Same(Entry a, Entry b) =>
        a.Prefix == b.Prefix && MirrorRecord.Compare(_bytes.AsSpan(a.Offset), _bytes.AsSpan(b.Offset)) == 0;

    /// <summary>A record's place and length and its key's first 8 bytes; ordered by those bytes, then by place (ties are sorted by key after).</summary>
    private readonly record struct Entry(ulong Prefix, int Offset, int Length) : IComparable<Entry>
    {
        public int CompareTo(Entry other) => Prefix != other.Prefix ? Prefix.CompareTo(other.Prefix) : Offset.CompareTo(other.Offset);
    }

    private sealed class EntryComparer(byte[] bytes) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y) =>
            x.Prefix != y.Prefix ? x.Prefix.CompareTo(y.Prefix) : MirrorRecord.Compare(bytes.AsSpan(x.Offset), bytes.AsSpan(y.Offset));
    }
}
