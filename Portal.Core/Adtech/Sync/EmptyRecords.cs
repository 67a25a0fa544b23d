namespace Portal.Core.Adtech.Sync;

/// <summary>A source with no records (no snapshot yet: the adtech holds nothing the portal sent).</summary>
public sealed class EmptyRecords : RecordSource
{
    public override ReadOnlySpan<byte> Current => throw new InvalidOperationException("No records");

    public override ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
