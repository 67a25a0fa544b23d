using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Jobs;

/// <summary>
/// Two portal instances (two hosts, each with its own instance id, executor, queue and pump) on one database, as two
/// processes behind a load balancer would run.
/// </summary>
public sealed class MultiInstanceJobsTests : DatabaseTest
{
    private Task<CoreHost> StartInstanceAsync(string instance, JobRunLog log) =>
        CoreHost.StartAsync(Folder, s => CountedJob.Register(s, log, instance), new Dictionary<string, string?>
        {
            ["Jobs:InstanceId"] = instance,
            ["Jobs:MaxConcurrency"] = "3",
        });

    [Fact]
    public async Task TwoInstances_200QueuedJobsOfMixedKinds_EachRanExactlyOnce()
    {
        var log = new JobRunLog();
        var ids = new List<long>();
        await using var first = await StartInstanceAsync("instance-a", log);
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await first.Get<JobQueue>().EnqueueAsync(CountedJob.Kinds[i % 3], CoreHost.Admin)).Id);
        }

        // The second instance starts while the first runs jobs: its start-up must leave those to the first.
        await first.WaitUntilAsync(async () =>
        {
            await using var db = await first.DbAsync();
            return await db.Jobs.AnyAsync(j => j.Status == JobStatus.Running);
        }, "the first instance to run a job");
        await using var second = await StartInstanceAsync("instance-b", log);
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await second.Get<JobQueue>().EnqueueAsync(CountedJob.Kinds[i % 3], CoreHost.Admin)).Id);
        }

        await first.WaitUntilAsync(async () =>
        {
            await using var db = await first.DbAsync();
            return await db.Jobs.CountAsync(j => j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled) == 200;
        }, "all 200 jobs to finish", 120);

        await using var check = await first.DbAsync();
        var jobs = await check.Jobs.AsNoTracking().ToListAsync();
        Assert.Equal(200, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(JobStatus.Succeeded, j.Status));
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        Assert.Equal(ids.Order(), log.Runs.Keys.Order());
        Assert.All(log.Runs, run => Assert.Equal(1, run.Value));
        Assert.Equal(["instance-a", "instance-b"], log.Where.Select(w => w.Instance).Distinct().Order());
        Assert.Equal(log.Where.ToDictionary(w => w.Job, w => w.Instance), jobs.ToDictionary(j => j.Id, j => j.LeaseOwner!));
    }

    [Fact]
    public async Task TwoInstances_ScheduleDueOnce_FiresOnce()
    {
        var log = new JobRunLog();
        await using var first = await StartInstanceAsync("instance-a", log);
        await using var second = await StartInstanceAsync("instance-b", log);
        // Due a day from now by the hosts' own clock, so their pumps leave it alone; the claims below come a day later.
        var due = DateTime.UtcNow.AddDays(1);
        await using (var db = await first.DbAsync())
        {
            db.JobSchedules.Add(new JobSchedule
            {
                Name = "yearly", Kind = CountedJob.Kinds[0], Cron = "0 0 1 1 *", NextRunAt = due, CreatedBy = "admin@tests.local", CreatedAt = due.AddDays(-2),
            });
            await db.SaveChangesAsync();
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var schedules = (i % 2 == 0 ? first : second).Get<JobSchedules>();
            await go.Task;
            return (await schedules.ClaimDueAsync(due.AddMinutes(1))).Count;
        })).ToList();
        go.SetResult();

        Assert.Equal(1, (await Task.WhenAll(claims)).Sum());
        await using var after = await first.DbAsync();
        var schedule = await after.JobSchedules.AsNoTracking().SingleAsync();
        Assert.True(schedule.NextRunAt > due.AddMinutes(1), $"the next run moved past the claimed one, to {schedule.NextRunAt:O}");
    }
}
