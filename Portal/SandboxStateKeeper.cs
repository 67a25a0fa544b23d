using Portal.Core.Adtech.Sandbox;
using Portal.Core.Audiences;

namespace Portal;

/// <summary>
/// Keeps the portal's own sandbox's audiences across restarts (<see cref="SandboxSaved"/>, in the bucket): restored
/// before the portal serves, written a moment after requests changed them and when the portal stops. Without it a
/// restarted demo's next sync would find no audience at the sandbox (404), as if the adtech had deleted it.
/// </summary>
internal sealed class SandboxStateKeeper(SandboxState state, IBucket bucket, ILogger<SandboxStateKeeper> logger) : BackgroundService
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private long _changes;
    private long _saved;

    /// <summary>A request may have changed what the sandbox holds.</summary>
    public void Changed() => Interlocked.Increment(ref _changes);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await SandboxSaved.ReadAsync(bucket, state, cancellationToken))
            {
                logger.LogInformation("Sandbox: {Audiences} audiences restored from {Path}", state.AudienceMembers.Count, SandboxSaved.BucketPath);
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            logger.LogWarning(ex, "Sandbox: {Path} could not be read; the sandbox starts empty", SandboxSaved.BucketPath);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Pause);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SaveIfChangedAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await SaveIfChangedAsync(cancellationToken);
    }

    private async Task SaveIfChangedAsync(CancellationToken cancellationToken)
    {
        var changes = Interlocked.Read(ref _changes);
        if (changes == _saved)
        {
            return;
        }

        await SandboxSaved.WriteAsync(bucket, state, cancellationToken);
        _saved = changes;
    }
}
