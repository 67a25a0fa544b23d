using Bunit;
using Microsoft.EntityFrameworkCore;
using Portal.Components.Pages.Jobs;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Web.Components.Jobs;

public sealed class JobsPageTests : DatabaseTest
{
    private static async Task<(long Failed, long Running, long Done)> SeedAsync(CoreHost host)
    {
        await using var db = await host.DbAsync();
        var now = DateTime.UtcNow;
        var failed = new JobRecord { Kind = "dashboard.recompute", Title = "Broken run", Status = JobStatus.Failed, Attempts = 3, MaxAttempts = 3, Error = "Attempt 3: IOException: disk full", RequestedBy = "m@x", CreatedAt = now.AddMinutes(-3), StartedAt = now.AddMinutes(-3), FinishedAt = now.AddMinutes(-2) };
        var running = new JobRecord { Kind = "dashboard.recompute", Title = "Half way", Status = JobStatus.Cancelled, ProgressDone = 5, ProgressTotal = 10, MaxAttempts = 3, RequestedBy = "m@x", CreatedAt = now.AddMinutes(-2) };
        var done = new JobRecord { Kind = "dashboard.recompute", Title = "All good", Status = JobStatus.Succeeded, ProgressDone = 25, ProgressTotal = 25, Attempts = 1, MaxAttempts = 3, RequestedBy = "a@x", CreatedAt = now.AddMinutes(-1) };
        db.Jobs.AddRange(failed, running, done);
        await db.SaveChangesAsync();
        return (failed.Id, running.Id, done.Id);
    }

    [Fact]
    public async Task JobGrid_WithJobs_ShowsRowsNewestFirstWithProgressBars()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var (failed, half, done) = await SeedAsync(host);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = ctx.Render<Portal.Components.Pages.Jobs.Jobs>();

        await page.WaitForAssertionAsync(() => Assert.Equal(3, page.FindAll("tbody tr.mud-table-row").Count));
        var titles = page.FindAll("tbody tr.mud-table-row").Select(r => r.Children[1].TextContent).ToList();
        Assert.StartsWith("All good", titles[0], StringComparison.Ordinal);
        Assert.StartsWith("Broken run", titles[2], StringComparison.Ordinal);
        Assert.Equal("100", page.Find($"[aria-label='Progress of job {done}']").GetAttribute("aria-valuenow"));
        Assert.Equal("50", page.Find($"[aria-label='Progress of job {half}']").GetAttribute("aria-valuenow"));
        Assert.NotNull(page.Find($"button[aria-label='Retry job {failed}']"));
        Assert.NotNull(page.Find($"button[aria-label='Retry job {half}']"));
        Assert.Empty(page.FindAll($"button[aria-label='Retry job {done}']"));
    }

    [Fact]
    public async Task JobGrid_ForViewer_HasNoRetryCancelOrRunButtons()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var (failed, _, _) = await SeedAsync(host);
        await using var ctx = ComponentContext.Create(host, "v@tests.local", Roles.Viewer);
        var page = ctx.Render<Portal.Components.Pages.Jobs.Jobs>();
        await page.WaitForAssertionAsync(() => Assert.Equal(3, page.FindAll("tbody tr.mud-table-row").Count));
        Assert.Empty(page.FindAll($"button[aria-label='Retry job {failed}']"));
        Assert.DoesNotContain("Run demo job", page.Markup, StringComparison.Ordinal);
        Assert.NotNull(page.Find($"button[aria-label='Details of job {failed}']"));
    }

    [Fact]
    public async Task JobGrid_RetryClicked_RequeuesTheJob()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var (failed, _, _) = await SeedAsync(host);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var page = ctx.Render<Portal.Components.Pages.Jobs.Jobs>();
        await page.WaitForAssertionAsync(() => page.Find($"button[aria-label='Retry job {failed}']"));

        // bUnit's user is a test double; the page hands its principal to JobQueue, which checks the role itself.
        await page.InvokeAsync(() => page.Find($"button[aria-label='Retry job {failed}']").ClickAsync(new()));
        var job = await host.WaitForJobAsync(failed, j => j.Status == JobStatus.Succeeded, "run again");
        Assert.Equal(1, job.Attempts);
    }

    [Fact]
    public async Task JobDetailsPanel_FailedJob_ShowsErrorAndRetry()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var (failed, _, _) = await SeedAsync(host);
        await using var ctx = ComponentContext.Create(host, "m@tests.local", Roles.Marketer);
        var job = await host.JobAsync(failed);
        var panel = ctx.Render<JobDetailsPanel>(p => p.Add(x => x.Job, job));
        Assert.Contains("IOException: disk full", panel.Find("pre[aria-label='Error details']").TextContent, StringComparison.Ordinal);
        Assert.Contains("3 of 3", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("Retry job", panel.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(JobSortField.Created)]
    [InlineData(JobSortField.Title)]
    [InlineData(JobSortField.Status)]
    [InlineData(JobSortField.Kind)]
    [InlineData(JobSortField.Progress)]
    [InlineData(JobSortField.RequestedBy)]
    public async Task JobQueries_EachColumnEitherWay_SortsByItThenNewestFirst(JobSortField field)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);
        var queries = host.Get<JobQueries>();
        var filter = new JobFilter(Kind: "dashboard.recompute");
        var (all, total) = await queries.ListAsync(filter, JobQueries.Newest, 0, 10);
        Assert.Equal(3, total);
        Func<JobRecord, IComparable> key = field switch
        {
            JobSortField.Title => j => j.Title,
            JobSortField.Status => j => j.Status.ToString(),
            JobSortField.Kind => j => j.Kind,
            JobSortField.Progress => j => j.ProgressTotal == 0 ? 0.0 : (double)j.ProgressDone / j.ProgressTotal,
            JobSortField.RequestedBy => j => j.RequestedBy,
            _ => j => j.Id,
        };

        foreach (var descending in new[] { false, true })
        {
            var (sorted, _) = await queries.ListAsync(filter, new GridSort<JobSortField>(field, descending), 0, 10);
            var expected = (descending ? all.OrderByDescending(key, Comparer<IComparable>.Default) : all.OrderBy(key, Comparer<IComparable>.Default))
                .ThenByDescending(j => j.Id).Select(j => j.Id);
            Assert.Equal(expected, sorted.Select(j => j.Id));
        }
    }

    [Fact]
    public async Task JobQueries_FilterSortAndPage_ReturnTheRightRows()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await SeedAsync(host);
        var queries = host.Get<JobQueries>();
        var (failedOnly, failedTotal) = await queries.ListAsync(new JobFilter([JobStatus.Failed]), JobQueries.Newest, 0, 10);
        Assert.Equal(1, failedTotal);
        Assert.Equal("Broken run", failedOnly.Single().Title);
        var (byTitle, _) = await queries.ListAsync(new JobFilter(), new GridSort<JobSortField>(JobSortField.Title, false), 0, 10);
        Assert.Equal(["All good", "Broken run", "Half way"], byTitle.Select(j => j.Title));
        var (page2, total) = await queries.ListAsync(new JobFilter(), JobQueries.Newest, 1, 2);
        Assert.Equal(3, total);
        Assert.Equal("Broken run", page2.Single().Title);
        var (searched, _) = await queries.ListAsync(new JobFilter(Search: "disk full"), JobQueries.Newest, 0, 10);
        Assert.Equal("Broken run", searched.Single().Title);
        await using var db = await host.DbAsync();
        Assert.Equal(3, await db.Jobs.CountAsync());
    }
}
