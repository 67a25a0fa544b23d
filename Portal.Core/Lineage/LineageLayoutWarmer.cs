using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Core.Lineage;

/// <summary>
/// Lays the whole lineage out in the background, so opening the Lineage page finds the layout in
/// <see cref="LineageLayout"/>'s cache instead of waiting for it (seconds for a lineage of thousands of nodes): once the
/// database is ready, after every job that ends (refreshes and catalog runs are what change the graph's shape), and
/// every <see cref="Interval"/> for edits that run no job. A layout already cached costs only the graph's build.
/// </summary>
public sealed partial class LineageLayoutWarmer(
    DatabaseStatus status,
    LineageBuilder builder,
    LineageLayout layout,
    JobNotifier notifier,
    ILogger<LineageLayoutWarmer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
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
                await WarmAsync(stoppingToken);
                await _signal.WaitAsync(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Builds the lineage and lays out the whole of it (what the Lineage page shows first) unless already cached.</summary>
    public async Task<LineageLayoutResult?> WarmAsync(CancellationToken cancellationToken)
    {
        try
        {
            var graph = await builder.BuildAsync(cancellationToken);
            var result = layout.Compute(graph.WholeView(), groupByDomain: false);
            if (!result.Cached)
            {
                LogWarmed(graph.Nodes.Count, graph.Edges.Count, result.Milliseconds);
            }

            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
            return null;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Laying the lineage out in the background failed; the Lineage page lays it out when opened")]
    private partial void LogFailed(Exception exception);
}
