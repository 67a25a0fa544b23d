namespace Portal.Core.Audiences;

/// <summary>
/// An audience's member file as members (<see cref="MemberFile.ReadAsync"/>), which a reader that packs members into
/// <see cref="MemberBatch"/>es can also read without an object per member (<see cref="ReadBatchesAsync"/>).
/// </summary>
public sealed class MemberFileMembers(IBucket bucket, string audience, CancellationToken cancellationToken) : IAsyncEnumerable<Member>
{
    public IAsyncEnumerator<Member> GetAsyncEnumerator(CancellationToken enumeratorToken = default) =>
        MemberFile.ReadAsync(bucket, audience, enumeratorToken.CanBeCanceled ? enumeratorToken : cancellationToken).GetAsyncEnumerator(enumeratorToken);

    /// <inheritdoc cref="MemberFile.ReadBatchesAsync"/>
    public Task<MemberBatch> ReadBatchesAsync(MemberBatch batch, int size, Func<MemberBatch, CancellationToken, ValueTask<MemberBatch>> handOver,
        CancellationToken enumeratorToken) =>
        MemberFile.ReadBatchesAsync(bucket, audience, batch, size, handOver, enumeratorToken.CanBeCanceled ? enumeratorToken : cancellationToken);
}
