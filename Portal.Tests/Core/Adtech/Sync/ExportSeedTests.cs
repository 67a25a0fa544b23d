using Portal.Core.Adtech;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Sync;

/// <summary>
/// A first export's upload records the snapshot as it hashes the members (AdtechB against the sandbox on loopback): the
/// snapshot and digests it leaves are the ones a seed from the members writes, and the next sync sends only the difference.
/// </summary>
public sealed class ExportSeedTests : IDisposable
{
    private static readonly DateTimeOffset Today = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly AudienceState State =
        AudienceStateParser.Parse("b.yml", "b:\n  description: d\n  country: IN\n  source: {endpoint: x}\n  adtechB:\n    name: B\n    expiration_time: 30\n").State!;

    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static AdtechBConnector Connector() =>
        new(new AdtechHttp(new HttpClient(), new AdtechRetryOptions { BaseDelaySeconds = 0.05, TimeoutSeconds = 5 }, TimeProvider.System), TimeProvider.System);

    private static AdtechConnection Connection(SandboxServer sandbox) => new(AdtechKeys.AdtechB, new Uri(sandbox.BaseUrl), null, sandbox.State.AccessToken);

    private LocalBucket Bucket(string name) => new(Path.Combine(_folder.Path, name));

    // Small runs, so that the seed from the members sorts into many (and with 1 KB the upload's partitions are sorted on disk).
    private MirrorSync Sync(IBucket bucket, int runBytes = 16 * 1024) =>
        new(bucket, new MirrorSyncOptions { WorkFolder = Path.Combine(_folder.Path, "work"), RunBytes = runBytes }, new FixedClock(Today));

    /// <summary>Numbered members (unless <paramref name="plain"/>, with exact repeats, a member left with no valid value and one with an invalid phone among them).</summary>
    private static IAsyncEnumerable<Member> Members(int from, int count, bool plain = false) =>
        Enumerable.Range(from, count).Select(i => plain ? MirrorMembers.Numbered(i)
            : i % 97 == 5 ? MirrorMembers.Numbered(i - 3)
            : i % 211 == 7 ? new Member([], ["12"], [])
            : i % 101 == 9 ? new Member([$"Member{i}@Example.com"], ["not a phone"], ["560001"])
            : MirrorMembers.Numbered(i)).ToAsyncEnumerable();

    private async Task<(UploadOutcome Outcome, bool Complete)> ExportAsync(IBucket bucket, SandboxServer sandbox, IAsyncEnumerable<Member> members, UploadStart start,
        int runBytes = 16 * 1024)
    {
        var sync = Sync(bucket, runBytes);
        await using var seed = sync.StartSeed();
        var outcome = await Connector().UploadAsync(State, Connection(sandbox), members, start with { BatchSize = 100, Seed = seed });
        if (seed.Complete)
        {
            await sync.SeedAsync("demo", AdtechKeys.AdtechB, seed);
        }

        return (outcome, seed.Complete);
    }

    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(1024)]
    public async Task UploadAsync_WithASeed_WritesTheSnapshotAndDigestsASeedFromTheMembersWrites(int runBytes)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var (exported, seeded) = (Bucket("exported"), Bucket("seeded"));

        var (outcome, complete) = await ExportAsync(exported, sandbox, Members(0, 1_050), UploadStart.Fresh(), runBytes);
        await Sync(seeded).SeedAsync("demo", AdtechKeys.AdtechB, Members(0, 1_050), Connector().Normalization(State.RequireCountry()));

        Assert.True(outcome.Succeeded);
        Assert.True(complete);
        var snapshot = new MirrorSnapshot(exported, "demo", AdtechKeys.AdtechB);
        foreach (var path in new[] { snapshot.SnapshotPath, snapshot.DigestsPath })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(seeded.Root, path)), await File.ReadAllBytesAsync(Path.Combine(exported.Root, path)));
        }
    }

    [Fact]
    public async Task UploadAsync_WithASeed_ThenASyncOfFivePercentChanged_SendsAndHashesOnlyTheDifference()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var bucket = Bucket("exported");
        await ExportAsync(bucket, sandbox, Members(0, 1_000, plain: true), UploadStart.Fresh());
        var target = new RecordingMirrorTarget(batchSize: 20);
        var normalization = Connector().Normalization(State.RequireCountry());

        var result = await Sync(bucket).RunAsync("demo", AdtechKeys.AdtechB, Members(25, 1_000, plain: true), normalization, target);

        Assert.Equal((25L, 25L, 975L, 25L), (result.Added, result.Removed, result.Unchanged, result.Hashed));
        Assert.Equal(MirrorMembers.Expected(Members(1_000, 25, plain: true).ToBlockingEnumerable(), normalization).Order(), target.Accepted(MirrorChange.Add).Order());
        Assert.Equal(MirrorMembers.Expected(Members(0, 25, plain: true).ToBlockingEnumerable(), normalization).Order(), target.Accepted(MirrorChange.Remove).Order());
    }

    [Fact]
    public async Task UploadAsync_ResumedAfterCommittedBatches_LeavesTheSeedIncomplete()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var bucket = Bucket("exported");
        var first = await Connector().UploadAsync(State, Connection(sandbox), Members(0, 200), UploadStart.Fresh() with { BatchSize = 100 });

        var (outcome, complete) = await ExportAsync(bucket, sandbox, Members(0, 500), UploadStart.Fresh() with { AudienceId = first.Id, CommittedBatches = 2 });

        Assert.True(outcome.Succeeded);
        Assert.False(complete);
        Assert.False(await bucket.ExistsAsync(new MirrorSnapshot(bucket, "demo", AdtechKeys.AdtechB).SnapshotPath, CancellationToken.None));
    }
}
