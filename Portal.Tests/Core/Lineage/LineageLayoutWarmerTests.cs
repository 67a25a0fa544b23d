using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Audiences;
using Portal.Core.Instances;
using Portal.Core.Lineage;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Lineage;

public sealed class LineageLayoutWarmerTests : DatabaseTest
{
    [Fact]
    public async Task WarmAsync_ThenTheWholeGraphIsAskedFor_ItsLayoutComesFromTheCache()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("fresh_one"), "fresh_one:\n  description: d\n  source: {endpoint: new/}\n  adtechB:\n    name: B\n", null);

        var warmed = await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None);

        Assert.NotNull(warmed);
        Assert.Contains(LineageBuilder.AudienceId("fresh_one"), warmed.Positions.Keys);
        var graph = await host.Get<LineageBuilder>().BuildAsync();
        var asked = host.Get<LineageLayout>().Compute(graph.WholeView(), groupByDomain: false);
        Assert.True(asked.Cached);
        Assert.Same(warmed.Positions, asked.Positions);
    }
    [Fact]
    public async Task BackgroundWarmUp_WhileAnotherInstanceHoldsTheLayoutLock_WaitsForItThenSaves()
    {
        await using (var setup = await CoreHost.StartAsync(Folder))
        {
            await setup.WaitUntilAsync(() => setup.Get<IBucket>().ExistsAsync(LineageLayoutWarmer.SavedLayoutPath), "the first layout to be saved");
            await setup.Get<IBucket>().DeleteAsync(LineageLayoutWarmer.SavedLayoutPath);
        }

        await using (var db = Folder.OpenDb())
        {
            // The setup's warm-ups left the lock's row, released; another instance takes it.
            await db.SharedLocks.Where(l => l.Name == LineageLayoutWarmer.LockName)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Owner, "other-instance").SetProperty(l => l.ExpiresAt, DateTime.UtcNow.AddHours(1)));
        }

        var logs = new LogCapture();
        await using var host = await CoreHost.StartAsync(Folder, s =>
        {
            logs.AddTo(s);
            s.AddLogging(b => b.AddFilter<LogCapture>(typeof(SharedLocks).FullName, LogLevel.Information));
        });
        await host.WaitUntilAsync(() => Task.FromResult(logs.Entries.Any(e => e.Message.Contains($"'{LineageLayoutWarmer.LockName}'", StringComparison.Ordinal))),
            "the warm-up to wait for the other instance");
        Assert.False(await host.Get<IBucket>().ExistsAsync(LineageLayoutWarmer.SavedLayoutPath));

        await using (var db = Folder.OpenDb())
        {
            await db.SharedLocks.Where(l => l.Name == LineageLayoutWarmer.LockName).ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, DateTime.UnixEpoch));
        }

        await host.WaitUntilAsync(() => host.Get<IBucket>().ExistsAsync(LineageLayoutWarmer.SavedLayoutPath), "the layout to be saved once the lock is free");
    }

    [Fact]
    public async Task WarmAsync_AfterARestartWithTheSameGraph_TakesTheSavedLayoutInsteadOfLayingOutAgain()
    {
        await SaveLayoutOfAFirstRunAsync();
        var marked = await MarkSavedLayoutAsync(); // positions no layout would produce: proof they were read back

        await using var host = await CoreHost.StartAsync(Folder);
        var graph = await host.Get<LineageBuilder>().BuildAsync();
        var warmed = await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None);

        Assert.NotNull(warmed);
        Assert.True(warmed.Cached);
        Assert.Equal(graph.Nodes.Count, warmed.Positions.Count);
        Assert.All(warmed.Positions, p => Assert.Equal(marked[p.Key], p.Value.X));
    }

    [Fact]
    public async Task WarmAsync_AfterARestartWithAChangedGraph_LaysItOutAgainAndSavesThat()
    {
        await SaveLayoutOfAFirstRunAsync();
        await MarkSavedLayoutAsync();

        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("later_one"), "later_one:\n  description: d\n  source: {endpoint: later/}\n", null);
        var warmed = await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None);

        Assert.NotNull(warmed);
        Assert.Contains(LineageBuilder.AudienceId("later_one"), warmed.Positions.Keys);
        Assert.All(warmed.Positions.Values, p => Assert.True(p.X < 100_000));
        var saved = JsonNode.Parse((await host.Get<IBucket>().ReadTextAsync(LineageLayoutWarmer.SavedLayoutPath))!.Text)!;
        Assert.NotNull(saved["Positions"]![LineageBuilder.AudienceId("later_one")]);
    }

    [Fact]
    public async Task WarmAsync_WhenTheSavedLayoutIsUnreadable_LaysOutAndSavesOverIt()
    {
        await SaveLayoutOfAFirstRunAsync();
        await using (var before = await CoreHost.StartAsync(Folder))
        {
            // Spoiled before the start: the host's own background warm-up reads the saved layout only once, at start.
            var saved = await before.Get<IBucket>().ReadTextAsync(LineageLayoutWarmer.SavedLayoutPath);
            await before.Get<IBucket>().WriteTextAsync(LineageLayoutWarmer.SavedLayoutPath, "{ not json", saved!.Version);
        }

        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        var warmed = await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None);

        Assert.NotNull(warmed);
        Assert.NotEmpty(warmed.Positions);
        Assert.NotNull(JsonNode.Parse((await bucket.ReadTextAsync(LineageLayoutWarmer.SavedLayoutPath))!.Text)!["Key"]);
    }

    private async Task SaveLayoutOfAFirstRunAsync()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.Get<IBucket>().WriteTextAsync(AudienceCatalog.StatePath("fresh_one"), "fresh_one:\n  description: d\n  source: {endpoint: new/}\n  adtechB:\n    name: B\n", null);
        Assert.NotNull(await host.Get<LineageLayoutWarmer>().WarmAsync(CancellationToken.None));
    }

    /// <summary>Moves every saved position far right (x + 1,000,000) and returns the new x by node id.</summary>
    private async Task<Dictionary<string, double>> MarkSavedLayoutAsync()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bucket = host.Get<IBucket>();
        var saved = (await bucket.ReadTextAsync(LineageLayoutWarmer.SavedLayoutPath))!;
        var json = JsonNode.Parse(saved.Text)!;
        var marked = new Dictionary<string, double>();
        foreach (var (id, point) in json["Positions"]!.AsObject())
        {
            var x = point![0]!.GetValue<double>() + 1_000_000;
            point[0] = x;
            marked[id] = x;
        }

        await bucket.WriteTextAsync(LineageLayoutWarmer.SavedLayoutPath, json.ToJsonString(), saved.Version);
        return marked;
    }
}
