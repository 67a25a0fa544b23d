using Microsoft.EntityFrameworkCore;
using Portal.Core.Instances;
using Portal.Core.Lineage;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Instances;

/// <summary>Named locks in the database, taken by two instances (two hosts) on one database.</summary>
public sealed class SharedLocksTests : DatabaseTest
{
    private Task<CoreHost> StartInstanceAsync(string instance) =>
        CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Jobs:InstanceId"] = instance });

    [Fact]
    public async Task TryAcquire_TwoInstancesAtOnce_OnlyOneHoldsIt()
    {
        await using var first = await StartInstanceAsync("instance-a");
        await using var second = await StartInstanceAsync("instance-b");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var locks = (i % 2 == 0 ? first : second).Get<SharedLocks>();
            await go.Task;
            return (locks.Instance, Took: await locks.TryAcquireAsync("contested", TimeSpan.FromMinutes(5)));
        })).ToList();
        go.SetResult();

        var results = await Task.WhenAll(tries);

        var holder = Assert.Single(results.Where(r => r.Took).Select(r => r.Instance).Distinct());
        await using var db = await first.DbAsync();
        Assert.Equal(holder, (await db.SharedLocks.AsNoTracking().SingleAsync(l => l.Name == "contested")).Owner);
    }

    [Fact]
    public async Task TryAcquire_HeldByAnInstanceThatStoppedRenewing_IsTakenOnceItsHoldPassed()
    {
        await using var first = await StartInstanceAsync("instance-a");
        await using var second = await StartInstanceAsync("instance-b");
        Assert.True(await first.Get<SharedLocks>().TryAcquireAsync("warm-up", TimeSpan.FromSeconds(1)));
        Assert.False(await second.Get<SharedLocks>().TryAcquireAsync("warm-up", TimeSpan.FromMinutes(5)));

        await second.WaitUntilAsync(() => second.Get<SharedLocks>().TryAcquireAsync("warm-up", TimeSpan.FromMinutes(5)), "the first hold to pass");

        Assert.False(await first.Get<SharedLocks>().TryAcquireAsync("warm-up", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task Acquire_HeldByAnother_WaitsUntilItIsReleasedThenHoldsAndRenewsIt()
    {
        await using var first = await StartInstanceAsync("instance-a");
        await using var second = await StartInstanceAsync("instance-b");
        var held = await first.Get<SharedLocks>().AcquireAsync("warm-up", CancellationToken.None);
        var waited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acquiring = second.Get<SharedLocks>().AcquireAsync("warm-up", CancellationToken.None, () => waited.SetResult());
        await waited.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(acquiring.IsCompleted);

        await held.DisposeAsync();
        await using var taken = await acquiring.WaitAsync(TimeSpan.FromSeconds(30));

        await using var db = await second.DbAsync();
        var row = await db.SharedLocks.AsNoTracking().SingleAsync(l => l.Name == "warm-up");
        Assert.Equal("instance-b", row.Owner);
    }

    [Fact]
    public async Task AcquireAndRelease_FirstTime_AreNotCountedAsLineageWrites()
    {
        // The row a lock's first taking creates counted once, right after start-up (the lineage warm-up's lock), and so
        // made the lineage be built again between two page loads.
        await using var host = await StartInstanceAsync("instance-a");
        var locks = host.Get<SharedLocks>();
        var writes = host.Get<LineageDataVersion>().Writes;

        await (await locks.AcquireAsync("never-taken-before", CancellationToken.None)).DisposeAsync();

        Assert.Equal(writes, host.Get<LineageDataVersion>().Writes);
        await using var db = await host.DbAsync();
        Assert.True(await db.SharedLocks.AnyAsync(l => l.Name == "never-taken-before"));
    }

    [Fact]
    public async Task AcquireAndRelease_TakenBefore_AreNotCountedAsLineageWrites()
    {
        await using var host = await StartInstanceAsync("instance-a");
        var locks = host.Get<SharedLocks>();
        await (await locks.AcquireAsync("warm-up", CancellationToken.None)).DisposeAsync();
        var writes = host.Get<LineageDataVersion>().Writes;

        await (await locks.AcquireAsync("warm-up", CancellationToken.None)).DisposeAsync();

        Assert.Equal(writes, host.Get<LineageDataVersion>().Writes);
    }
}
