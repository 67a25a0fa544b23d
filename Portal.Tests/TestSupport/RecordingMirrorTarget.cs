using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Tests.TestSupport;

/// <summary>
/// An adtech audience in memory for sync tests: the members it holds (each as <see cref="MirrorMembers.Identity"/>),
/// every call it got, and a refusal on chosen calls (1-based, counting every add and remove call).
/// </summary>
public sealed class RecordingMirrorTarget(int batchSize = 10) : IMirrorTarget
{
    public int BatchSize { get; } = batchSize;

    public HashSet<string> Held { get; } = new(StringComparer.Ordinal);

    public TimeSpan? MembershipLifetime { get; init; }

    public List<(MirrorChange Change, IReadOnlyList<string> Members, bool Accepted)> Calls { get; } = [];

    /// <summary>The calls (1-based) to refuse.</summary>
    public HashSet<int> RefuseCalls { get; } = [];

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => Apply(MirrorChange.Add, batch);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => Apply(MirrorChange.Remove, batch);

    /// <summary>The members of accepted calls of one kind, each time it was sent.</summary>
    public IEnumerable<string> Accepted(MirrorChange change) => Calls.Where(c => c.Accepted && c.Change == change).SelectMany(c => c.Members);

    private Task<MirrorAnswer> Apply(MirrorChange change, IReadOnlyList<HashedMember> batch)
    {
        Assert.InRange(batch.Count, 1, BatchSize);
        var members = batch.Select(MirrorMembers.Identity).ToList();
        var accepted = !RefuseCalls.Contains(Calls.Count + 1);
        Calls.Add((change, members, accepted));
        if (!accepted)
        {
            return Task.FromResult(new MirrorAnswer(false, 503, "Refused by the test"));
        }

        foreach (var member in members)
        {
            _ = change == MirrorChange.Add ? Held.Add(member) : Held.Remove(member);
        }

        return Task.FromResult(new MirrorAnswer(true, 200, "OK"));
    }
}
