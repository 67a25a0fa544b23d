namespace Portal.Core.Lineage;

/// <summary>
/// The built lineage, shared by every page until the data it is built from changes (<see cref="LineageDataVersion"/>):
/// building it reads every rule, segment and audience file (hundreds of milliseconds for a big installation), checking
/// the stamp costs a listing. The stamp is taken before building, so a change made during a build makes the next call
/// build again. One build at a time. The graph is immutable, so sharing it is safe. Thread-safe; one for the app.
/// </summary>
public sealed class LineageGraphCache(LineageBuilder builder, LineageDataVersion version, Audiences.AudienceIndex? index = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Entry? _entry;

    /// <summary>The lineage as the data is now: the cached graph when nothing changed since it was built, else a new one.</summary>
    public async Task<LineageGraph> GetAsync(CancellationToken cancellationToken = default)
    {
        // The audience index first: a reconcile that changes it is a write, which the stamp then includes.
        if (index is not null)
        {
            await index.EnsureFreshAsync(cancellationToken);
        }

        var stamp = await version.CurrentAsync(cancellationToken);
        if (Volatile.Read(ref _entry) is { } cached && cached.Stamp == stamp)
        {
            return cached.Graph;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have built it for this stamp while this one waited.
            if (_entry is { } built && built.Stamp == stamp)
            {
                return built.Graph;
            }

            var graph = await builder.BuildAsync(cancellationToken);
            Volatile.Write(ref _entry, new Entry(stamp, graph));
            return graph;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record Entry(string Stamp, LineageGraph Graph);
}
