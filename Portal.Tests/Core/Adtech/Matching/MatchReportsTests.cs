using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Adtech.Matching;

/// <summary>
/// Match figures recorded on the runs: a real SQLite database, and the sandbox's report over HTTP on 127.0.0.1. The
/// sandbox matches a member when the SHA-256 hex of one of its emails or phones starts with 0–7.
/// </summary>
public sealed class MatchReportsTests : DatabaseTest
{
    /// <summary>Ten members by email only: eight valid, two whose only value is invalid (they are never sent).</summary>
    private static readonly string[] Emails =
        ["ana@example.com", "bo@example.com", "chitra@example.com", "dev@example.com", "esha@example.com",
         "farid@example.com", "gita@example.com", "hari@example.com", "not-an-email", "also not one"];

    private static bool Known(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))[0] is >= '0' and <= '7';

    [Fact]
    public async Task Run_AdtechBReportsMatches_RecordsThemAndTheRateCountsInvalidMembersInTheDenominator()
    {
        await using var env = await SandboxHost.StartAsync(Folder);
        var bucket = env.Host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("matched"),
            "matched:\n  description: d\n  country: IN\n  source: {endpoint: none/}\n  adtechB:\n    name: Matched\n    expiration_time: 300\n", null);
        await MemberFile.WriteAsync(bucket, "matched", Emails.Select(e => new Member([e], [], [])));
        var expected = Emails.Take(8).Count(Known);

        var result = Assert.Single(await env.Host.Get<CatalogRunner>().RunAsync(new CatalogRunScope("matched")));

        Assert.Equal(["adtechB"], result.Uploaded);
        await using var db = await env.Host.DbAsync();
        var run = await db.ExportRuns.SingleAsync(r => r.Audience == "matched");
        Assert.Equal((10L, 8L, expected, expected), (run.Members, run.ReportedReceived, run.MatchedLow, run.MatchedHigh));
        Assert.InRange(expected, 1, 7); // the members chosen mix known and unknown
        Assert.Equal($"{Math.Round(expected * 10.0, MidpointRounding.AwayFromZero)} %", run.MatchRate!.Text);
    }

    [Theory]
    [InlineData(AdtechKeys.AdtechA)]
    [InlineData(AdtechKeys.Meta)]
    [InlineData(AdtechKeys.GoogleAds)]
    public async Task ExportThenSync_SegmentAudience_BothRunsRecordTheSandboxReport(string adtech)
    {
        await using var env = await SandboxHost.StartAsync(Folder, seedDemoData: true);
        var segment = await Portal.Tests.Core.Segments.SegmentAudiencesTests.SegmentAsync(env.Host, "Matched segment", 40);
        var (audience, export) = await env.Host.Get<Portal.Core.Segments.SegmentAudiences>().ExportAsync(segment.Id, adtech, CoreHost.Marketer);
        await env.Host.WaitForJobAsync(export.Id, j => j.Status == JobStatus.Succeeded, "the export");
        var sync = await env.Host.Get<JobQueue>().EnqueueAsync(CatalogRunJob.Kind, CoreHost.Marketer, CatalogRunJob.SyncPayloadFor(audience, null), "sync");
        await env.Host.WaitForJobAsync(sync.Id, j => j.Status == JobStatus.Succeeded, "the sync");

        var id = (await env.Host.Get<AudienceCatalog>().GetAsync(audience))!.State!.AdtechId(adtech)!;
        var matched = env.Sandbox.State.Members.Matched(id);
        var (low, high, rate) = adtech switch
        {
            AdtechKeys.Meta => ((long)Math.Floor(matched * 0.95), (long)Math.Ceiling(matched * 1.05), (int?)null),
            AdtechKeys.GoogleAds => ((long)Math.Floor(matched * 0.9), matched, (int?)(int)Math.Round(100.0 * matched / 40, MidpointRounding.AwayFromZero)),
            _ => (matched, matched, null),
        };
        await using var db = await env.Host.DbAsync();
        var runs = await db.ExportRuns.Where(r => r.Audience == audience).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal([null, "NoChange"], runs.Select(r => r.SyncOutcome));
        Assert.InRange(matched, 1, 39);
        Assert.All(runs, run => Assert.Equal((40L, low, high, rate), (run.Members, run.MatchedLow, run.MatchedHigh, run.AdtechMatchRate)));
    }

    [Fact]
    public async Task Run_ReportRefused_RunSucceedsAndSaysThereIsNoReport()
    {
        await using var env = await SandboxHost.StartAsync(Folder);
        var bucket = env.Host.Get<IBucket>();
        await bucket.WriteTextAsync(AudienceCatalog.StatePath("unreported"),
            "unreported:\n  description: d\n  country: IN\n  source: {endpoint: none/}\n  adtechB:\n    name: Unreported\n", null);
        await MemberFile.WriteAsync(bucket, "unreported", Emails.Take(3).Select(e => new Member([e], [], [])));
        env.Sandbox.State.Faults.Enqueue(new Portal.Core.Adtech.Sandbox.SandboxFault("/report", 500));

        var result = Assert.Single(await env.Host.Get<CatalogRunner>().RunAsync(new CatalogRunScope("unreported")));

        Assert.Empty(result.Errors);
        await using var db = await env.Host.DbAsync();
        var run = await db.ExportRuns.SingleAsync(r => r.Audience == "unreported");
        Assert.Equal((ExportRunStatus.Succeeded, 3L, null), (run.Status, run.Members, run.MatchedLow));
        Assert.Null(run.MatchRate);
        Assert.EndsWith("No match report: HTTP 500: Sandbox fault 500", run.ResponseMessage, StringComparison.Ordinal);
    }
}
