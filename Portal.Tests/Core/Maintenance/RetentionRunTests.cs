using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Maintenance;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Maintenance;

/// <summary>The daily retention pass against a real SQLite database and bucket, at a fixed "now".</summary>
public sealed class RetentionRunTests : DatabaseTest
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private Task<CoreHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        CoreHost.StartAsync(Folder, s => s.AddSingleton<TimeProvider>(new FixedClock(new DateTimeOffset(Now))), settings);

    private static Task<RetentionResult> RunAsync(CoreHost host) =>
        host.Get<RetentionRun>().RunAsync("system", (_, _) => Task.CompletedTask);

    private static JobRecord Job(string kind, JobStatus status, int daysAgo) => new()
    {
        Kind = kind, Title = kind, Status = status, RequestedBy = "system",
        CreatedAt = Now.AddDays(-daysAgo), FinishedAt = status is JobStatus.Queued or JobStatus.Running ? null : Now.AddDays(-daysAgo),
        StartedAt = status == JobStatus.Queued ? null : Now.AddDays(-daysAgo),
        // a queued job waits for a retry far ahead, so the pump leaves it alone during the test
        NotBefore = status == JobStatus.Queued ? Now.AddYears(50) : null,
    };

    private static ExportRun Run(string audience, string adtech, int daysAgo, ExportRunStatus status = ExportRunStatus.Succeeded, long? jobId = null) => new()
    {
        Audience = audience, AdtechKey = adtech, ExportKey = Guid.NewGuid().ToString("N"), Status = status, JobId = jobId,
        StartedUtc = Now.AddDays(-daysAgo), FinishedUtc = status == ExportRunStatus.Running ? null : Now.AddDays(-daysAgo),
    };

    private static async Task<long> SegmentAsync(PortalDbContext db, string name)
    {
        var rule = new Rule { Name = name, Conditions = "{}", CreatedBy = "system", UpdatedBy = "system", CreatedAt = Now, UpdatedAt = Now };
        db.Rules.Add(rule);
        await db.SaveChangesAsync();
        var segment = new Segment { RuleId = rule.Id, Name = name };
        db.Segments.Add(segment);
        await db.SaveChangesAsync();
        return segment.Id;
    }

    private static SegmentRefresh Refresh(long segment, int daysAgo) => new()
    {
        SegmentId = segment, StartedAt = Now.AddDays(-daysAgo), FinishedAt = Now.AddDays(-daysAgo), Succeeded = true,
    };

    [Fact]
    public async Task Run_OldAndYoungRows_PrunesOldFinishedRowsAndKeepsLatestAndLiveOnes()
    {
        await using var host = await StartAsync();
        long oldJob, oldFailed, youngJob, onlyOfKind, running, queued, namedByLastSync, newerOfThatKind;
        long oldRun, youngRun, lastRun, onlyRun, runningRun, oldRefresh, lastRefresh, onlyRefresh, oldAudit, youngAudit;
        await using (var db = await host.DbAsync())
        {
            var jobs = new[]
            {
                Job("test.a", JobStatus.Succeeded, 40), Job("test.a", JobStatus.Failed, 40), Job("test.a", JobStatus.Succeeded, 5),
                Job("test.b", JobStatus.Cancelled, 40), Job("test.a", JobStatus.Running, 40), Job("test.a", JobStatus.Queued, 40),
                Job("test.c", JobStatus.Succeeded, 300), Job("test.c", JobStatus.Succeeded, 200),
            };
            db.Jobs.AddRange(jobs);
            await db.SaveChangesAsync();
            (oldJob, oldFailed, youngJob, onlyOfKind, running, queued, namedByLastSync, newerOfThatKind) =
                (jobs[0].Id, jobs[1].Id, jobs[2].Id, jobs[3].Id, jobs[4].Id, jobs[5].Id, jobs[6].Id, jobs[7].Id);

            var runs = new[]
            {
                Run("a", "adtechA", 300), Run("a", "adtechA", 10), Run("a", "adtechA", 250, jobId: namedByLastSync),
                Run("b", "adtechA", 400), Run("a", "meta", 300, ExportRunStatus.Running), Run("a", "meta", 299),
            };
            db.ExportRuns.AddRange(runs);
            var s = await SegmentAsync(db, "s");
            var t = await SegmentAsync(db, "t");
            var refreshes = new[] { Refresh(s, 300), Refresh(s, 250), Refresh(t, 400) };
            db.SegmentRefreshes.AddRange(refreshes);
            var audit = new[]
            {
                new AuditEntry { At = Now.AddDays(-400), Actor = "x", Action = "old" },
                new AuditEntry { At = Now.AddDays(-10), Actor = "x", Action = "young" },
            };
            db.AuditLog.AddRange(audit);
            await db.SaveChangesAsync();
            (oldRun, youngRun, lastRun, onlyRun, runningRun) = (runs[0].Id, runs[1].Id, runs[2].Id, runs[3].Id, runs[4].Id);
            (oldRefresh, lastRefresh, onlyRefresh, oldAudit, youngAudit) = (refreshes[0].Id, refreshes[1].Id, refreshes[2].Id, audit[0].Id, audit[1].Id);
        }

        var result = await RunAsync(host);

        await using var check = await host.DbAsync();
        var jobIds = await check.Jobs.Select(j => j.Id).ToListAsync();
        Assert.DoesNotContain(oldJob, jobIds);
        Assert.DoesNotContain(oldFailed, jobIds);
        Assert.Equal([youngJob, onlyOfKind, running, queued, namedByLastSync, newerOfThatKind], jobIds.Order());
        var runIds = await check.ExportRuns.Select(r => r.Id).ToListAsync();
        Assert.DoesNotContain(oldRun, runIds);
        Assert.Equal([youngRun, lastRun, onlyRun, runningRun, runningRun + 1], runIds.Order()); // runningRun + 1: a/meta's latest
        Assert.Equal([lastRefresh, onlyRefresh], (await check.SegmentRefreshes.Select(r => r.Id).ToListAsync()).Order());
        var auditIds = await check.AuditLog.Select(a => a.Id).ToListAsync();
        Assert.DoesNotContain(oldAudit, auditIds);
        Assert.Contains(youngAudit, auditIds);
        Assert.Equal(new RetentionResult(2, 1, 1, 1, 0), result);
        var entry = await check.AuditLog.SingleAsync(a => a.Action == "retention.pruned");
        Assert.Equal("2 job(s), 1 export run(s), 1 segment refresh(es), 1 audit entry, 0 bucket file(s)", entry.Details);
    }

    [Fact]
    public async Task Run_ConfiguredAges_AreRespectedAndDeletedInBatches()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>
        {
            ["Retention:JobDays"] = "0", ["Retention:AuditDays"] = "10", ["Retention:BatchSize"] = "2",
        });
        await using (var db = await host.DbAsync())
        {
            db.Jobs.AddRange(Job("test.a", JobStatus.Succeeded, 400), Job("test.a", JobStatus.Succeeded, 300));
            db.AuditLog.AddRange(Enumerable.Range(11, 5).Select(d => new AuditEntry { At = Now.AddDays(-d), Actor = "x", Action = "old" }));
            db.AuditLog.Add(new AuditEntry { At = Now.AddDays(-9), Actor = "x", Action = "young" });
            await db.SaveChangesAsync();
        }

        var steps = new List<string>();
        var result = await host.Get<RetentionRun>().RunAsync("system", (_, message) => { steps.Add(message); return Task.CompletedTask; });

        await using var check = await host.DbAsync();
        Assert.Equal(2, await check.Jobs.CountAsync());
        Assert.Equal((0, 5), (result.Jobs, result.AuditEntries));
        Assert.Equal(["young", "retention.pruned"], await check.AuditLog.Where(a => a.Actor == "x" || a.Action == "retention.pruned")
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
        Assert.Equal(["Removed 2 old audit entr(ies)", "Removed 4 old audit entr(ies)", "Removed 5 old audit entr(ies)"],
            steps.Where(s => s.Contains("audit", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_OrphanedBucketFiles_AreDeletedAndReferencedOnesKept()
    {
        await using var host = await StartAsync();
        var bucket = host.Get<IBucket>();
        var root = ((LocalBucket)bucket).Root;
        async Task PutAsync(string path, int hoursAgo)
        {
            await bucket.WriteTextAsync(path, "x", null);
            File.SetLastWriteTimeUtc(Path.Combine(root, path), Now.AddHours(-hoursAgo));
        }

        string[] kept =
        [
            "state/live.yml", "data/live.parquet.gz", "sync/live/adtechA.snapshot", "history/live/20260101T000000000_a.yml",
            "uploads/incoming/named.csv", "incoming/clicks/2024-Q1/dropped.csv", "data/notes.txt", "datasets/clicks/2024-Q1/stored.parquet",
        ];
        string[] young = ["data/new.parquet.gz", "uploads/incoming/young.csv", "uploads/staging/young.parquet"];
        string[] orphans =
        [
            "data/gone.parquet.gz", "sync/gone/adtechA.snapshot", "sync/gone/adtechA.journal/00000001-add", "history/gone/20260101T000000000_a.yml",
            "uploads/incoming/orphan.csv", "uploads/staging/left.parquet", "datasets/clicks/2024-Q1/uncommitted.parquet",
        ];
        foreach (var path in kept.Concat(orphans))
        {
            await PutAsync(path, 48);
        }

        foreach (var path in young)
        {
            await PutAsync(path, 2);
        }

        await using (var db = await host.DbAsync())
        {
            var failed = Job(DatasetImportJob.Kind, JobStatus.Failed, 2);
            failed.Payload = DatasetImportJob.PayloadFor(new DatasetImportPayload("clicks", "2024-Q1", "named.csv", "uploads/incoming/named.csv"));
            db.Jobs.Add(failed);
            db.ImportedFiles.Add(new ImportedFile
            {
                Dataset = "clicks", Partition = "2024-Q1", FileName = "stored.csv", Status = ImportStatus.Imported,
                StoredPath = "datasets/clicks/2024-Q1/stored.parquet", ImportedBy = "system", ImportedAt = Now.AddDays(-2),
            });
            await db.SaveChangesAsync();
        }

        var result = await RunAsync(host);

        foreach (var path in kept.Concat(young))
        {
            Assert.True(await bucket.ExistsAsync(path), $"{path} should be kept");
        }

        foreach (var path in orphans)
        {
            Assert.False(await bucket.ExistsAsync(path), $"{path} should be removed");
        }

        Assert.Equal(orphans.Length, result.BucketFiles);
    }

    [Fact]
    public async Task RetentionJob_StartedByAnOperator_SucceedsAndAuditsOnce()
    {
        await using var host = await StartAsync();

        var job = await host.Get<JobQueue>().StartAsync(RetentionJob.Kind, CoreHost.Admin);
        var done = await host.WaitForJobAsync(job.Id, j => j.IsFinished, "finished");

        Assert.Equal(JobStatus.Succeeded, done.Status);
        Assert.StartsWith("Removed 0 job(s)", done.ProgressMessage);
        await using var db = await host.DbAsync();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == "retention.pruned" && a.Actor == "admin@tests.local"));
    }
}
