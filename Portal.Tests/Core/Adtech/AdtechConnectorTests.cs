using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech;

/// <summary>The upload pipeline (read, hash, send) of the connector SDK, with AdtechB against the sandbox on loopback.</summary>
public sealed class AdtechConnectorTests
{
    private static readonly AudienceState State =
        AudienceStateParser.Parse("b.yml", "b:\n  description: d\n  country: US\n  source: {endpoint: x}\n  adtechB:\n    name: B\n    expiration_time: 30\n").State!;

    private static AdtechBConnector Connector() =>
        new(new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.05, TimeoutSeconds = 5 }, TimeProvider.System), TimeProvider.System);

    private static AdtechConnection Connection(SandboxServer sandbox) => new(AdtechKeys.AdtechB, new Uri(sandbox.BaseUrl), null, sandbox.State.AccessToken);

    private static Member MemberNo(int i) => new([$"Member{i}@Example.com"], [$"(415) 555-{i % 10_000:D4}"], ["94103"]);

    /// <summary>Members one at a time; <paramref name="failAt"/> throws there, <paramref name="reached"/> hears how far the reading got.</summary>
    private static async IAsyncEnumerable<Member> Members(int count, int failAt = -1, Action<int>? reached = null)
    {
        for (var i = 0; i < count; i++)
        {
            if (i == failAt)
            {
                throw new InvalidDataException($"unreadable member {i}");
            }

            reached?.Invoke(i);
            yield return MemberNo(i);
            await Task.Yield();
        }
    }

    [Fact]
    public async Task UploadAsync_ManyBatches_SendsThemInOrderAndCheckpointsEachBeforeTheNext()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var checkpoints = new List<UploadCheckpoint>();
        var start = UploadStart.Fresh() with { BatchSize = 100 };

        var outcome = await Connector().UploadAsync(State, Connection(sandbox), Members(1_050), start, (c, _) =>
        {
            checkpoints.Add(c);
            return Task.CompletedTask;
        });

        Assert.True(outcome.Succeeded);
        Assert.Equal(1_050, outcome.Sent);
        Assert.Equal(Enumerable.Range(1, 11), checkpoints.Select(c => c.CommittedBatches));
        Assert.Equal(Enumerable.Range(1, 11).Select(n => Math.Min(n * 100L, 1_050)), checkpoints.Select(c => c.Sent));
        Assert.Equal([.. Enumerable.Repeat(100, 10), 50], sandbox.State.Calls.Select(c => c.Members));
        Assert.Equal(1_050, sandbox.State.AudienceMembers[outcome.Id!]);
    }

    [Fact]
    public async Task UploadAsync_MembersFailPartWay_ThrowsTheirErrorAfterTheBatchesBeforeAreCommitted()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var committed = 0;
        var start = UploadStart.Fresh() with { BatchSize = 10 };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Connector().UploadAsync(State, Connection(sandbox), Members(100, failAt: 25), start, (c, _) =>
        {
            committed = c.CommittedBatches;
            return Task.CompletedTask;
        }));

        Assert.Equal("unreadable member 25", error.Message);
        Assert.Equal(2, committed);
        Assert.Equal([10, 10], sandbox.State.Calls.Select(c => c.Members));
    }

    [Fact]
    public async Task UploadAsync_AddRejected_FailsWithoutSendingLaterBatchesAndReadsOnlyAFewAhead()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.State.AccessToken = "rotated"; // every request is refused (401, final)
        var read = 0;
        var start = UploadStart.Fresh() with { BatchSize = 10, AudienceId = "B0000000001" };

        var outcome = await Connector().UploadAsync(State, Connection(sandbox) with { AccessToken = "old" }, Members(10_000, reached: i => read = i + 1), start);

        Assert.False(outcome.Succeeded);
        Assert.Equal(401, outcome.Response.Status);
        Assert.Equal(0, outcome.Sent);
        Assert.Empty(sandbox.State.Calls);
        Assert.InRange(read, 10, 60); // the batch sent, and at most a few batches read, hashed or waiting behind it
    }

    [Fact]
    public async Task UploadAsync_CancelledAfterTheFirstBatch_ThrowsAndSendsNoMore()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var cancel = new CancellationTokenSource();
        var start = UploadStart.Fresh() with { BatchSize = 10 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Connector().UploadAsync(State, Connection(sandbox), Members(1_000), start, async (c, _) =>
        {
            await cancel.CancelAsync();
        }, cancellationToken: cancel.Token));

        Assert.Equal([10], sandbox.State.Calls.Select(c => c.Members));
    }
}
