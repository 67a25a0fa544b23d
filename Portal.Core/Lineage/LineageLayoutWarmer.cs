using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Instances;
using Portal.Core.Jobs;

namespace Portal.Core.Lineage;

/// <summary>
/// Lays the whole lineage out in the background, so opening the Lineage page finds the layout in
/// <see cref="LineageLayout"/>'s cache instead of waiting for it (seconds for a lineage of thousands of nodes): once the
/// database is ready, after every job that ends (refreshes and catalog runs are what change the graph's shape), and
/// every <see cref="Interval"/> for edits that run no job. A layout already cached costs only a look at the graph's cache.
/// Each new whole-graph layout is saved to the bucket (<see cref="SavedLayoutPath"/>), and the first warm-up after a
/// start takes it from there when the graph has not changed meanwhile: a restart does not lay a big lineage out again.
/// Instances sharing a database warm up one at a time (<see cref="LockName"/>): the saved layout is theirs in common, and
/// an instance that waited takes the layout the other one just saved.
/// </summary>
public sealed partial class LineageLayoutWarmer(
    DatabaseStatus status,
    LineageGraphCache graphs,
    LineageLayout layout,
    IBucket bucket,
    JobNotifier notifier,
    SharedLocks locks,
    ILogger<LineageLayoutWarmer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>The last whole-graph layout, with the key of the view it is for (<see cref="LineageLayout.KeyOf"/>).</summary>
    public const string SavedLayoutPath = "lineage/whole-view-layout.json";

    /// <summary>The <see cref="SharedLocks"/> lock a background warm-up holds.</summary>
    public const string LockName = "lineage-layout";

    /// <summary>Taking the saved layout into the cache: started by the first warm-up, awaited by every one (so none lays out meanwhile).</summary>
    private Task? _restoring;
    private readonly Lock _restoreLock = new();

    /// <summary>The key of the layout in the bucket (restored or written by this process); null until then.</summary>
    private string? _savedKey;
    private readonly SemaphoreSlim _signal = new(0, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => RunAsync(stoppingToken), stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(change =>
        {
            if (change.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled)
            {
                Signal();
            }
        });
        try
        {
            while (!status.IsReady)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken);
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                await WarmOneInstanceAtATimeAsync(stoppingToken);
                await _signal.WaitAsync(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task WarmOneInstanceAtATimeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using (await locks.AcquireAsync(LockName, stoppingToken))
            {
                await WarmAsync(stoppingToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
        }
    }

    /// <summary>
    /// Builds the lineage and lays out the whole of it (what the Lineage page shows first) unless already cached: on the
    /// first call, from the saved layout when it is for this graph. A new layout is saved.
    /// </summary>
    public async Task<LineageLayoutResult?> WarmAsync(CancellationToken cancellationToken)
    {
        try
        {
            var graph = await graphs.GetAsync(cancellationToken);
            var view = graph.WholeView();
            var key = LineageLayout.KeyOf(view, groupByDomain: false);
            Task restoring;
            lock (_restoreLock)
            {
                restoring = _restoring ??= RestoreAsync(view, key, cancellationToken);
            }

            await restoring;

            var result = layout.Compute(view, groupByDomain: false);
            if (!result.Cached)
            {
                LogWarmed(graph.Nodes.Count, graph.Edges.Count, result.Milliseconds);
            }

            // Saved by whoever finishes first: a caller that waited for a layout another call was computing (the
            // background warm-up's, say) finds it cached, yet it may not be in the bucket yet.
            if (!result.Cached || !string.Equals(Volatile.Read(ref _savedKey), key, StringComparison.Ordinal))
            {
                var saved = new SavedLayout(key, result.Positions.ToDictionary(p => p.Key, p => new[] { p.Value.X, p.Value.Y }));
                await bucket.WriteTextAsync(SavedLayoutPath, JsonSerializer.Serialize(saved), expectedVersion: null, cancellationToken);
                Volatile.Write(ref _savedKey, key);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
            return null;
        }
    }

    private async Task RestoreAsync(LineageView view, string key, CancellationToken cancellationToken)
    {
        try
        {
            // Used only when it is for this very graph and places every node of it.
            if (await bucket.ReadTextAsync(SavedLayoutPath, cancellationToken) is not { } text
                || JsonSerializer.Deserialize<SavedLayout>(text.Text) is not { } saved || saved.Key != key
                || !view.Nodes.All(n => saved.Positions.TryGetValue(n.Id, out var p) && p is { Length: 2 }))
            {
                return;
            }

            var positions = view.Nodes.ToDictionary(n => n.Id, n => new LayoutPoint(saved.Positions[n.Id][0], saved.Positions[n.Id][1]), StringComparer.Ordinal);
            Volatile.Write(ref _savedKey, key);
            if (layout.Seed(key, positions))
            {
                LogRestored(positions.Count);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not readable (or not there to read): laid out again, and saved over.
            LogUnreadable(ex);
        }
    }

    private sealed record SavedLayout(string Key, Dictionary<string, double[]> Positions);

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one warm-up covers both.
            }
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lineage laid out in the background: {Nodes} nodes, {Edges} edges in {Milliseconds:F0} ms")]
    private partial void LogWarmed(int nodes, int edges, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lineage layout taken from the last run: {Nodes} nodes")]
    private partial void LogRestored(int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved lineage layout could not be read; laying the lineage out again")]
    private partial void LogUnreadable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Laying the lineage out in the background failed; the Lineage page lays it out when opened")]
    private partial void LogFailed(Exception exception);
}
