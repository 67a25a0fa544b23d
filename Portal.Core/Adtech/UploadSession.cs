using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// One upload of an audience's members to one adtech: what the adtech has accepted so far (the audience's id, a
/// job-style API's job, the committed batches and the counts) and the steps that advance it. It creates the audience
/// (and opens the job) unless the start already has them, skips the batches committed before, sends the rest, and runs
/// the job; the checkpoint hears of every step the adtech accepted, before the next one is sent.
/// </summary>
/// <remarks>
/// A pipeline of three stages joined by channels of one batch each, so memory follows the batch size: reading the
/// members into batches, hashing a batch on every core and writing its request body, and sending the bodies one at a
/// time in order (batch n is hashed while batch n - 1 is posted, and batches are committed in order, as resuming needs).
/// </remarks>
internal sealed class UploadSession
{
    private readonly AdtechConnector _connector;
    private readonly AdtechHttp _http;
    private readonly AudienceState _state;
    private readonly AdtechConnection _connection;
    private readonly UploadStart _start;
    private readonly Func<UploadCheckpoint, CancellationToken, Task>? _checkpoint;
    private readonly IProgress<long>? _progress;
    private readonly CancellationToken _cancellationToken;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly HashStats _stats = new();

    private string? _id;
    private string? _job;
    private int _committed;
    private long _sent;
    private long _failed;
    private AdtechResponse? _last;

    public UploadSession(AdtechConnector connector, AdtechHttp http, AudienceState state, AdtechConnection connection, UploadStart start,
        Func<UploadCheckpoint, CancellationToken, Task>? checkpoint, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        _connector = connector;
        _http = http;
        _state = state;
        _connection = connection;
        _start = start;
        _checkpoint = checkpoint;
        _progress = progress;
        _cancellationToken = cancellationToken;
        _headers = connector.Headers(connection);
        _id = start.AudienceId;
        _job = start.Job;
        _committed = start.CommittedBatches;
    }

    public async Task<UploadOutcome> RunAsync(IAsyncEnumerable<Member> members)
    {
        var normalization = _connector.Normalization(_state.RequireCountry()); // before anything is created at the adtech
        var batchSize = _start.BatchSize ?? _connector.BatchSize;

        // Where the create carries no members, the audience and the job are made first (or were, by the run resumed).
        // Where it does, the first batch makes the audience: its id is saved only with that batch committed.
        if (!_connector.CreateCarriesMembers || _id is not null)
        {
            var ready = await EnsureCreatedAsync(null);
            if (_id != _start.AudienceId || _job != _start.Job)
            {
                await CheckpointAsync(); // also when the job could not be opened: the audience exists and must not be made again
            }

            if (!ready)
            {
                return Failure();
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken);
        var read = Channel.CreateBounded<ReadBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var prepared = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var batches = new Reused<MemberBatch>(() => new MemberBatch(batchSize), b => b.Clear());
        // Room for a batch of members with three hashes each, so that the buffers seldom grow.
        var buffers = new Reused<ArrayBufferWriter<byte>>(() => new ArrayBufferWriter<byte>(batchSize * 256), b => b.ResetWrittenCount());
        var skip = (long)_start.CommittedBatches * batchSize;
        var createFirst = _id is null;
        var first = new BatchPosition(_start.ExportKey, _start.CommittedBatches + 1, Last: false, _start.EstimatedMembers, _id, _connection);
        // The snapshot is recorded only by an upload that hashes every member from the first.
        var seed = skip == 0 ? _start.Seed : null;
        seed?.Start(normalization);
        var reading = Task.Run(() => UploadPipeline.Stage(read.Writer, () => UploadPipeline.ReadBatchesAsync(members, skip, batchSize, batches, read.Writer, stop.Token)));
        var preparing = Task.Run(() => UploadPipeline.Stage(prepared.Writer, () =>
            UploadPipeline.PrepareBatchesAsync(_connector, _state, normalization, read.Reader, batches, prepared.Writer, createFirst, first, buffers, seed, stop.Token)));
        try
        {
            await foreach (var batch in prepared.Reader.ReadAllAsync(_cancellationToken))
            {
                _stats.Add(batch.Stats);
                var ok = await SendAsync(batch.Payload?.WrittenMemory ?? default, batch.Members);
                buffers.Return(batch.Payload);
                if (!ok)
                {
                    return Failure();
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(reading, preparing); // they never fault: what went wrong reached the loop above through the channels
        }

        if (_id is null && !await SendAsync(_connector.Payload(_state, [], create: true), 0))
        {
            return Failure();
        }

        if (_job is not null && _connector.RunJob(_connection, _job) is { } run)
        {
            if (!await PostAsync(run.Path, run.Payload, "run"))
            {
                return Failure();
            }

            if (await _connector.AwaitJobAsync(_connection, _job, _cancellationToken) is { } ended)
            {
                _last = ended;
                if (!ended.IsSuccess)
                {
                    // A job that ran is spent: the next run opens a new job and sends every batch again (adds are safe to repeat).
                    _job = null;
                    _committed = 0;
                    await CheckpointAsync();
                    return Failure();
                }
            }
        }

        _last ??= new AdtechResponse(200, null, "Nothing left to send", 0);
        return _connector.Outcome(_id, _last, _sent, _failed, _stats, _watch);
    }

    private async Task<bool> PostAsync(string path, ReadOnlyMemory<byte> payload, string step)
    {
        await _connector.PaceAsync(_cancellationToken);
        _last = await _http.PostAsync(_connection, path, payload, _headers, $"{_start.ExportKey}:{step}", _cancellationToken, _connector.IsThrottled);
        return _last.IsSuccess;
    }

    /// <summary>True (and the last answer made a failure) when the adtech accepted a step but returned no id for it.</summary>
    private bool Missing(string? value, string what)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return false;
        }

        _last = _last! with { Status = 502, Message = $"The adtech accepted the {what} but returned no id" };
        return true;
    }

    private Task CheckpointAsync() =>
        _checkpoint?.Invoke(new UploadCheckpoint(_id, _job, _committed, _sent, _failed), _cancellationToken) ?? Task.CompletedTask;

    /// <summary>
    /// Creates the audience (with the first batch's body where the create carries members; else an empty create) and
    /// opens the job, where missing.
    /// </summary>
    private async Task<bool> EnsureCreatedAsync(ReadOnlyMemory<byte>? create)
    {
        if (_id is null && !await CreateAsync(create ?? _connector.Payload(_state, [], create: true)))
        {
            return false;
        }

        return _job is not null || _connector.OpenJob(_connection, _id!, _start.RunId) is not { } open
            || (await PostAsync(open.Path, open.Payload, "job") && !Missing(_job = _connector.ReadJob(_last!.Body), "job"));
    }

    /// <summary>
    /// Creates the audience. No adtech honours an idempotency key, so a create whose outcome is unknown (a 5xx, no
    /// answer in time, a lost connection) is not simply sent again: the audience is looked up by its name first, and
    /// only when the adtech has none of that name is it created again. The same goes for the first create of a run that
    /// follows one which ended without an id (<see cref="UploadStart.LookUpFirst"/>): that run's create may have been applied.
    /// </summary>
    private async Task<bool> CreateAsync(ReadOnlyMemory<byte> body)
    {
        var name = _state.AdtechName(_connector.Key) ?? "";
        if (_start.LookUpFirst && _connector.FindByName(_connection, name) is { } first)
        {
            var (lookup, found) = await LookUpAsync(first, name);
            if (!lookup.IsSuccess)
            {
                _last = lookup with { Message = $"An earlier run may have created the audience, and looking it up failed: {lookup.Message}" };
                return false;
            }

            if (found is not null)
            {
                _id = found;
                _last = lookup with { Message = "An earlier run created the audience, though its answer was lost; found by its name" };
                return true;
            }
        }

        for (var attempt = 1; ; attempt++)
        {
            await _connector.PaceAsync(_cancellationToken);
            _last = await _http.PostAsync(_connection, _connector.CreatePath(_connection), body, _headers, $"{_start.ExportKey}:create", _cancellationToken,
                _connector.IsThrottled, retryUnknown: false);
            if (_last.IsSuccess)
            {
                return !Missing(_id = _connector.ReadId(_last.Body), "audience");
            }

            if (_last.Status < 500 || _connector.FindByName(_connection, name) is not { } find)
            {
                return false;
            }

            var unknown = _last;
            var (lookup, found) = await LookUpAsync(find, name);
            if (!lookup.IsSuccess)
            {
                _last = unknown with { Message = $"{unknown.Message}; whether the audience was created is unknown, and looking it up failed: {lookup.Message}" };
                return false;
            }

            if (found is not null)
            {
                _id = found;
                _last = lookup with { Message = $"The audience was created, though its answer was lost ({unknown.Message}); found by its name" };
                return true;
            }

            if (attempt >= _http.MaxAttempts)
            {
                _last = unknown with { Message = $"{unknown.Message} (after {attempt} attempts, none of which created the audience)" };
                return false;
            }
        }
    }

    /// <summary>Looks the audience up by its name: the answer, and the id of the audience of that name when there is one.</summary>
    private async Task<(AdtechResponse Lookup, string? Found)> LookUpAsync(AdtechRequest find, string name)
    {
        await _connector.PaceAsync(_cancellationToken);
        var lookup = find.Payload is null
            ? await _http.GetOnceAsync(_connection, find.Path, _headers, _cancellationToken)
            : await _http.PostAsync(_connection, find.Path, find.Payload, _headers, null, _cancellationToken, _connector.IsThrottled);
        return (lookup, lookup.IsSuccess ? _connector.ReadFound(lookup.Body, name) : null);
    }

    /// <summary>Sends one batch of members (none: nothing is posted unless the audience is still to be made) and commits it.</summary>
    private async Task<bool> SendAsync(ReadOnlyMemory<byte> payload, int count)
    {
        if (count > 0 || _id is null)
        {
            var ok = _id is null
                ? await EnsureCreatedAsync(payload)
                : await PostAsync(_connector.AddPath(_connection, _job ?? _id), payload, $"batch:{_committed}");
            if (!ok)
            {
                return false;
            }

            _failed += _connector.FailedIn(_last!.Body);
            _sent += count;
            _progress?.Report(_sent);
        }

        _committed++;
        await CheckpointAsync();
        return true;
    }

    private UploadOutcome Failure() => _connector.Outcome(null, _last!, _sent, _failed, _stats, _watch);
}
