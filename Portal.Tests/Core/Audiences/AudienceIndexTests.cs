using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Audiences;
using Portal.Core.Data;
using Portal.Core.Instances;
using Portal.Core.Jobs;
using Portal.Core.Lineage;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

/// <summary>The audience index against a real database: filled and reconciled from the bucket, and kept up by the portal's own writes.</summary>
public sealed class AudienceIndexTests : DatabaseTest
{
    /// <summary>A valid state file: a segment source, adtechA without an id (not fetched yet) and adtechB with one (posted).</summary>
    internal static string State(string name, string description = "About it") =>
        $"{name}:\n  description: {description}\n  source:\n    segment: Big spenders\n  adtechA:\n    name: A\n    audience_type: TYPE_X\n  adtechB:\n    name: B\n    id: '42'\n";

    /// <summary>Starts a host whose index reconciles only when asked (or after an hour), so a test sees what each write did on its own.</summary>
    private async Task<CoreHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Audiences:IndexReconcileSeconds"] = "3600" };
        var host = await CoreHost.StartAsync(Folder, settings: values);
        // Start-up reconciles the index after the database is ready: let it finish before the test writes files.
        await (host.Get<PortalInitializer>().ExecuteTask ?? Task.CompletedTask);
        return host;
    }

    /// <summary>Writes a state file straight into the bucket's folder, as someone editing the bucket without the portal would.</summary>
    internal static void WriteBehind(IBucket bucket, string file, string text, DateTime? modified = null)
    {
        var path = Path.Combine(((LocalBucket)bucket).Root, "state", file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (modified is { } at)
        {
            File.SetLastWriteTimeUtc(path, at);
        }
    }

    internal static string StatePathOnDisk(IBucket bucket, string file) => Path.Combine(((LocalBucket)bucket).Root, "state", file);

    /// <summary>The bucket as the reconcile tests start from: three valid audiences, <c>{prefix}_a</c>, <c>_b</c> and <c>_c</c>.</summary>
    internal static void WriteThreeBehind(IBucket bucket, string prefix)
    {
        foreach (var name in new[] { $"{prefix}_a", $"{prefix}_b", $"{prefix}_c" })
        {
            WriteBehind(bucket, name + ".yml", State(name));
        }
    }

    /// <summary>
    /// Behind the portal's back: <c>_a</c> rewritten (description "Rewritten"), <c>_b</c> renamed to <c>_b2</c>, <c>_c</c>
    /// deleted, and <c>_broken</c> added, a file that cannot be parsed.
    /// </summary>
    internal static void ChangeThreeBehind(IBucket bucket, string prefix)
    {
        WriteBehind(bucket, $"{prefix}_a.yml", State($"{prefix}_a", "Rewritten"), DateTime.UtcNow.AddMinutes(1));
        File.Delete(StatePathOnDisk(bucket, $"{prefix}_b.yml"));
        WriteBehind(bucket, $"{prefix}_b2.yml", State($"{prefix}_b2"));
        File.Delete(StatePathOnDisk(bucket, $"{prefix}_c.yml"));
        WriteBehind(bucket, $"{prefix}_broken.yml", $"{prefix}_broken:\n  description: [never closed\n");
    }

    private static async Task<List<AudienceIndexRow>> RowsAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        return await db.AudienceIndex.AsNoTracking().Include(r => r.Adtechs).OrderBy(r => r.Name).ToListAsync();
    }

    [Fact]
    public async Task Reconcile_StateFilesWrittenBehindThePortal_FillsTheIndexWithStatusesAndTheFirstIssue()
    {
        await using var host = await StartAsync();
        var bucket = host.Get<IBucket>();
        WriteBehind(bucket, "alpha.yml", State("alpha"));
        WriteBehind(bucket, "beta.yml", State("beta", "Second"));
        WriteBehind(bucket, "broken.yml", "broken:\n  description: [never closed\n");

        var result = await host.Get<AudienceIndex>().ReconcileAsync();

        Assert.Equal((3, 3, 0), (result.Listed, result.Read, result.Removed));
        var rows = await RowsAsync(host);
        Assert.Equal(["alpha", "beta", "broken"], rows.Select(r => r.Name));
        var alpha = rows[0];
        Assert.True(alpha.IsValid);
        Assert.Equal(("About it", AudienceSourceKind.Segment, "Big spenders", "state/alpha.yml"), (alpha.Description, alpha.SourceKind, alpha.Source, alpha.Path));
        Assert.Equal([("adtechA", AdtechStatus.NotFetched, (string?)null), ("adtechB", AdtechStatus.Posted, "42")],
            alpha.Adtechs.OrderBy(a => a.Position).Select(a => (a.Key, a.Status, a.ExternalId)));
        Assert.Equal(LocalBucket.VersionOf(State("alpha")), alpha.Hash);
        var broken = rows[2];
        Assert.False(broken.IsValid);
        Assert.True(broken.IssueCount >= 1);
        Assert.StartsWith("broken.yml:", broken.FirstIssue, StringComparison.Ordinal);
        Assert.Empty(broken.Adtechs);
    }

    [Fact]
    public async Task Reconcile_NothingChangedSinceTheLast_ReadsNoFileAndWritesNothing()
    {
        await using var host = await StartAsync();
        var bucket = host.Get<IBucket>();
        WriteBehind(bucket, "alpha.yml", State("alpha"));
        WriteBehind(bucket, "beta.yml", State("beta"));
        var index = host.Get<AudienceIndex>();
        await index.ReconcileAsync();
        var writes = host.Get<LineageDataVersion>().Writes;

        var again = await index.ReconcileAsync();

        Assert.Equal((2, 0, 0, false), (again.Listed, again.Read, again.Removed, again.Skipped));
        Assert.Equal(writes, host.Get<LineageDataVersion>().Writes);
    }

    [Fact]
    public async Task Reconcile_FilesRewrittenRenamedAndDeletedBehindThePortal_IndexAgreesWithTheBucket()
    {
        await using var host = await StartAsync();
        var bucket = host.Get<IBucket>();
        WriteBehind(bucket, "alpha.yml", State("alpha"));
        WriteBehind(bucket, "beta.yml", State("beta"));
        WriteBehind(bucket, "gamma.yml", State("gamma"));
        var index = host.Get<AudienceIndex>();
        await index.ReconcileAsync();
        var before = (await RowsAsync(host)).Single(r => r.Name == "alpha").ModifiedUtc;

        WriteBehind(bucket, "alpha.yml", State("alpha", "Rewritten"), before.AddMinutes(1));
        File.Delete(StatePathOnDisk(bucket, "beta.yml"));
        WriteBehind(bucket, "beta_renamed.yml", State("beta_renamed"));
        File.Delete(StatePathOnDisk(bucket, "gamma.yml"));
        var result = await index.ReconcileAsync();

        Assert.Equal((2, 2, 2), (result.Listed, result.Read, result.Removed));
        var rows = await RowsAsync(host);
        Assert.Equal(["alpha", "beta_renamed"], rows.Select(r => r.Name));
        Assert.Equal("Rewritten", rows[0].Description);
        await using var db = await host.DbAsync();
        Assert.Equal(4, await db.AudienceIndexAdtechs.CountAsync()); // the rows of the gone files took their adtechs with them
    }

    [Fact]
    public async Task Save_InTheEditor_IsInTheIndexWithoutAReconcile()
    {
        await using var host = await StartAsync();
        var index = host.Get<AudienceIndex>();
        var reconciled = index.LastReconciled;

        var saved = await host.Get<AudienceEditor>().SaveAsync("fresh", State("fresh", "Saved here"), null, CoreHost.Marketer);

        Assert.Equal(SaveOutcome.Saved, saved.Outcome);
        var overview = await host.Get<AudienceQueries>().GetAsync("fresh");
        Assert.Equal(("Saved here", true), (overview?.Description, overview?.IsValid ?? false));
        Assert.Equal(reconciled, index.LastReconciled);
    }

    [Fact]
    public async Task CatalogRun_FetchesAndExports_IndexShowsTheMembersAndPostedWithoutAReconcile()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var settings = sandbox.Settings(Path.Combine(Folder.Path, "bucket"));
        settings["Audiences:DefaultCountry"] = "IN";
        await using var host = await StartAsync(settings);
        WriteBehind(host.Get<IBucket>(), "demo_audience.yml", SeedStates.Stage1Basic);
        var index = host.Get<AudienceIndex>();
        await index.ReconcileAsync();
        var reconciled = index.LastReconciled;
        Assert.Equal(AdtechStatus.NotFetched, Assert.Single((await host.Get<AudienceQueries>().GetAsync("demo_audience"))!.Adtechs).Status);

        Assert.Equal(["adtechA"], Assert.Single(await host.Get<CatalogRunner>().RunAsync(null)).Uploaded);

        var overview = (await host.Get<AudienceQueries>().GetAsync("demo_audience"))!;
        Assert.Equal((true, 1000L), (overview.HasMemberData, overview.Members ?? 0));
        var cell = Assert.Single(overview.Adtechs);
        Assert.Equal((AdtechStatus.Posted, 200), (cell.Status, cell.LastResponse?.Status ?? 0));
        Assert.Equal(200, overview.SourceResponse?.Status);
        Assert.Equal(reconciled, index.LastReconciled);
    }

    [Fact]
    public async Task Reconcile_AnotherInstanceHoldsTheIndexLock_LeavesTheIndexUntilItLetsGo()
    {
        await using var host = await StartAsync();
        var other = new SharedLocks(host.Get<IDbContextFactory<PortalDbContext>>(), Options.Create(new JobOptions { InstanceId = "other-instance" }),
            TimeProvider.System, NullLogger<SharedLocks>.Instance);
        Assert.True(await other.TryAcquireAsync(AudienceIndex.LockName, TimeSpan.FromMinutes(5)));
        WriteBehind(host.Get<IBucket>(), "alpha.yml", State("alpha"));
        var index = host.Get<AudienceIndex>();

        var skipped = await index.ReconcileAsync();
        Assert.True(skipped.Skipped);
        Assert.Empty(await RowsAsync(host));

        await other.ReleaseAsync(AudienceIndex.LockName);
        var done = await index.ReconcileAsync();
        Assert.Equal((false, 1), (done.Skipped, done.Read));
        Assert.Equal(["alpha"], (await RowsAsync(host)).Select(r => r.Name));
    }

    [Fact]
    public async Task Reconcile_TwoFilesWhoseNamesDifferInCase_MarksTheSecondInvalidUntilTheFirstIsGone()
    {
        await using var host = await StartAsync();
        var bucket = host.Get<IBucket>();
        WriteBehind(bucket, "Twin.yml", State("Twin"));
        WriteBehind(bucket, "twin.yml", State("twin"));
        var index = host.Get<AudienceIndex>();

        await index.ReconcileAsync();

        var rows = await RowsAsync(host);
        Assert.Equal([("Twin", true), ("twin", false)], rows.OrderBy(r => r.Path, StringComparer.Ordinal).Select(r => (r.Name, r.IsValid)));
        Assert.Equal("twin.yml:1:1: twin: Duplicate audience name: 'twin' is also defined by Twin.yml (names must be unique, ignoring case).",
            rows.Single(r => r.Name == "twin").FirstIssue);

        File.Delete(StatePathOnDisk(bucket, "Twin.yml"));
        await index.ReconcileAsync();

        var left = Assert.Single(await RowsAsync(host));
        Assert.Equal(("twin", true, 0, (string?)null), (left.Name, left.IsValid, left.IssueCount, left.FirstIssue));
    }
}
