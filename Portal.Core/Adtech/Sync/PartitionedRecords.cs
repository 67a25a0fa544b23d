namespace Portal.Core.Adtech.Sync;

/// <summary>
/// The records of <see cref="KeyPartitions"/> in key order, each key once: a partition at a time, read into memory and
/// sorted, while the next two are read and sorted on the thread pool. A partition larger than the memory allowed (over
/// about 28M members) is sorted into runs on disk and merged.
/// </summary>
internal sealed class PartitionedRecords(KeyPartitions partitions, int maxBytes) : RecordSource
{
    /// <summary>Partitions loaded and sorted ahead of the one being read (on as many cores), each in a buffer of its own.</summary>
    private const int Ahead = 2;

    private readonly Stack<RunBuffer> _buffers = new(Enumerable.Range(0, Ahead + 1).Select(_ => new RunBuffer(maxBytes)));
    private readonly Queue<Task<RecordSource?>> _loading = new();
    private int _next;
    private RecordSource? _current;

    public override ReadOnlySpan<byte> Current => _current!.Current;

    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_current is not null)
        {
            var moved = _current.MoveNextAsync(cancellationToken);
            if (!moved.IsCompletedSuccessfully)
            {
                return ContinueAsync(moved, cancellationToken);
            }

            if (moved.Result)
            {
                return ValueTask.FromResult(true);
            }
        }

        return NextPartitionAsync(cancellationToken);
    }

    private async ValueTask<bool> ContinueAsync(ValueTask<bool> moving, CancellationToken cancellationToken) =>
        await moving || await NextPartitionAsync(cancellationToken);

    /// <summary>Moves to the first record of the next partition that has one, starting to load another one ahead.</summary>
    private async ValueTask<bool> NextPartitionAsync(CancellationToken cancellationToken)
    {
        while (_loading.Count < Ahead)
        {
            _loading.Enqueue(LoadNext(cancellationToken));
        }

        while (true)
        {
            if (_current is not null)
            {
                await _current.DisposeAsync();
                _current = null;
            }

            if (await _loading.Dequeue() is not { } loaded)
            {
                return false;
            }

            _current = loaded;
            _loading.Enqueue(LoadNext(cancellationToken));
            if (await _current.MoveNextAsync(cancellationToken))
            {
                return true;
            }
        }
    }

    /// <summary>The next partition's records, loaded and sorted on the thread pool into a free buffer; null after the last.</summary>
    private Task<RecordSource?> LoadNext(CancellationToken cancellationToken)
    {
        if (_next == KeyPartitions.Count)
        {
            return Task.FromResult<RecordSource?>(null);
        }

        RunBuffer buffer;
        lock (_buffers)
        {
            buffer = _buffers.Pop();
        }

        var partition = _next++;
        return Task.Run<RecordSource?>(async () =>
        {
            try
            {
                return await LoadAsync(partitions.PathOf(partition), buffer, cancellationToken);
            }
            catch
            {
                Release(buffer);
                throw;
            }
        }, cancellationToken);
    }

    private async Task<RecordSource> LoadAsync(string path, RunBuffer buffer, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new SortedBuffer(buffer, Release);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (file.Length <= maxBytes)
        {
            buffer.Load(file, (int)file.Length, Path.GetFileName(path));
            buffer.Sort();
            return new SortedBuffer(buffer, Release);
        }

        var merged = await SortOnDiskAsync(file, path, buffer, cancellationToken);
        Release(buffer);
        return merged;
    }

    /// <summary>A partition over the memory allowed: sorted into runs of that size on disk, then merged.</summary>
    private static async Task<RecordSource> SortOnDiskAsync(FileStream file, string path, RunBuffer buffer, CancellationToken cancellationToken)
    {
        var runs = new SortedMembers(path + "-runs");
        try
        {
            Directory.CreateDirectory(runs.Folder);
            var record = new byte[1024];
            while (file.ReadAtLeast(record.AsSpan(0, MirrorRecord.HeaderSize), MirrorRecord.HeaderSize, throwOnEndOfStream: false) is var read and > 0)
            {
                var length = read == MirrorRecord.HeaderSize ? MirrorRecord.Length(record) : throw new InvalidDataException($"{Path.GetFileName(path)} ends in the middle of a record");
                if (record.Length < length)
                {
                    Array.Resize(ref record, length);
                }

                file.ReadExactly(record, MirrorRecord.HeaderSize, length - MirrorRecord.HeaderSize);
                if (!buffer.Fits(length, 1))
                {
                    await MemberSorter.FlushRunAsync(buffer, runs, cancellationToken);
                    buffer.MakeRoom(length, 1);
                }

                buffer.Add(record.AsSpan(0, length));
            }

            await MemberSorter.FlushRunAsync(buffer, runs, cancellationToken);
            return new MergedRuns(runs);
        }
        catch
        {
            await runs.DisposeAsync();
            throw;
        }
    }

    private void Release(RunBuffer buffer)
    {
        buffer.Clear();
        lock (_buffers)
        {
            _buffers.Push(buffer);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_current is not null)
        {
            await _current.DisposeAsync();
        }

        while (_loading.TryDequeue(out var loading))
        {
            if (await Task.WhenAny(loading) is { IsCompletedSuccessfully: true, Result: { } loaded })
            {
                await loaded.DisposeAsync();
            }
        }
    }

    /// <summary>A sorted buffer's records, each key once; the buffer handed back on dispose.</summary>
    private sealed class SortedBuffer(RunBuffer buffer, Action<RunBuffer> release) : RecordSource
    {
        private int _index = -1;

        public override ReadOnlySpan<byte> Current => buffer.RecordAt(_index);

        public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
        {
            do
            {
                _index++;
            }
            while (_index < buffer.Count && buffer.IsRepeat(_index));

            return ValueTask.FromResult(_index < buffer.Count);
        }

        public override ValueTask DisposeAsync()
        {
            release(buffer);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A big partition's runs merged; the runs deleted on dispose.</summary>
    private sealed class MergedRuns(SortedMembers runs) : RecordSource
    {
        private readonly RecordSource _merged = runs.Open();

        public override ReadOnlySpan<byte> Current => _merged.Current;

        public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) => _merged.MoveNextAsync(cancellationToken);

        public override async ValueTask DisposeAsync()
        {
            await _merged.DisposeAsync();
            await runs.DisposeAsync();
        }
    }
}
