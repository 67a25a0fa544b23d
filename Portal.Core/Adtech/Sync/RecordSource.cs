namespace Portal.Core.Adtech.Sync;

/// <summary>Records one after another, in key order; <see cref="Current"/> is valid until the next move.</summary>
public abstract class RecordSource : IAsyncDisposable
{
    public abstract ReadOnlySpan<byte> Current { get; }

    /// <summary>Moves to the next record; false at the end.</summary>
    public abstract ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
