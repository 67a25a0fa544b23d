using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Dashboard;
using Portal.Core.Data;
using Portal.Core.Maintenance;
using Portal.Core.Uploads;
using Portal.Core.Jobs;
using Portal.E2E;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Instances;

/// <summary>
/// Two portal processes (the built app, <c>dotnet Portal.dll</c>) on one database and one bucket, as two instances
/// behind a load balancer: the test's database (SQLite, or PostgreSQL when the suite runs on it), each process with
/// its own instance id and its own content root, so nothing but the database and the bucket is shared.
/// </summary>
public sealed class TwoPortalProcessesTests : DatabaseTest
{
    private const string Email = "admin@instances.test";
    private const string Password = "Instances-Pass-1!";

    private static readonly string[] Kinds = [RecomputeDashboardTotalsJob.Kind, DropFolderScanJob.Kind,
        RetentionJob.Kind, CatalogRunJob.Kind];

    [Fact]
    public async Task TwoProcesses_200JobsQueuedThroughBoth_EachRanExactlyOnceAndACookieFromOneWorksOnTheOther()
    {
        await using var a = await StartAsync("instance-a");
        await using var b = await StartAsync("instance-b");
        var cookies = new CookieContainer();
        using var onA = await SignedInClientAsync(a, cookies);
        using var onB = ClientWithCookiesOf(cookies, a, b);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/jobs")).StatusCode);

        var ids = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            var client = i % 2 == 0 ? onA : onB;
            var response = await client.PostAsJsonAsync("/api/jobs", new { kind = Kinds[i % Kinds.Length] });
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"job {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            ids.Add((await response.Content.ReadFromJsonAsync<JobCreated>())!.Id);
        }

        var jobs = await WaitForAsync(async db => await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.Id)).ToListAsync(),
            all => all.Count(j => j.IsFinished) == 200, "all 200 jobs to finish", a, b);

        Assert.All(jobs, j => Assert.True(j.Status == JobStatus.Succeeded && j.Attempts == 1,
            $"job {j.Id} ({j.Kind}) ran once and succeeded: {j.Status}, {j.Attempts} attempts, {j.Error}"));
        Assert.Equal(["instance-a", "instance-b"], jobs.Select(j => j.LeaseOwner!).Distinct().Order());
        Assert.Equal(Kinds.Order(), jobs.Select(j => j.Kind).Distinct().Order());
    }

    [Fact]
    public async Task TwoProcesses_ScheduleDueOnce_FiresOnce()
    {
        await using var a = await StartAsync("instance-a");
        await using var b = await StartAsync("instance-b");
        long scheduleId;
        await using (var db = Folder.OpenDb())
        {
            var schedule = new JobSchedule
            {
                Name = "yearly", Kind = RecomputeDashboardTotalsJob.Kind, Cron = "0 0 1 1 *", NextRunAt = DateTime.UtcNow.AddSeconds(2),
                CreatedBy = Email, CreatedAt = DateTime.UtcNow,
            };
            db.JobSchedules.Add(schedule);
            await db.SaveChangesAsync();
            scheduleId = schedule.Id;
        }

        var fired = await WaitForAsync(async db => await db.Jobs.AsNoTracking().Where(j => j.ScheduleId == scheduleId).ToListAsync(),
            jobs => jobs.Count > 0 && jobs.All(j => j.IsFinished), "the schedule to fire and its job to finish", a, b);
        // Both pumps run every second: a few more seconds give a second firing every chance to show.
        await Task.Delay(TimeSpan.FromSeconds(4));

        await using var after = Folder.OpenDb();
        var job = Assert.Single(await after.Jobs.AsNoTracking().Where(j => j.ScheduleId == scheduleId).ToListAsync());
        Assert.Equal(fired.Single().Id, job.Id);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        Assert.True((await after.JobSchedules.AsNoTracking().SingleAsync(s => s.Id == scheduleId)).NextRunAt > DateTime.UtcNow.AddDays(1));
    }

    [Fact]
    public async Task KillNine_InstanceRunningAJob_TheOtherFinishesItAfterTheLease()
    {
        // The audience's data source holds its first request open (the job is running), then answers every later one.
        var firstRequest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var source = await LoopbackServer.StartAsync(async context =>
        {
            if (firstRequest.TrySetResult())
            {
                await holding.Task.WaitAsync(context.RequestAborted);
                return;
            }

            await context.Response.WriteAsJsonAsync(new[] { new { email = "asha@example.in" }, new { email = "ravi@example.in" } });
        });
        var settings = new Dictionary<string, string>
        {
            ["DataSources__Http__BaseUrl"] = source.BaseUrl,
            ["Outbound__AllowedHosts__0"] = source.Authority,
        };
        await using var a = await StartAsync("instance-a", settings);
        await using var b = await StartAsync("instance-b", settings);
        const string audience = "killed_midway";
        var stateFile = Path.Combine(Folder.Path, "bucket", AudienceCatalog.StatePath(audience));
        Directory.CreateDirectory(Path.GetDirectoryName(stateFile)!);
        await File.WriteAllTextAsync(stateFile, $"""
            {audience}:
              description: Fetched from a data source that stalls the first time.
              source:
                endpoint: members/
              {AdtechKeys.AdtechA}:
                name: {audience}
                audience_type: TYPE_X

            """);
        using var onA = await SignedInClientAsync(a, new CookieContainer());
        var started = await onA.PostAsJsonAsync("/api/jobs", new { kind = CatalogRunJob.Kind, payload = new { audience, adtech = AdtechKeys.AdtechA } });
        Assert.True(started.StatusCode == HttpStatusCode.Created, await started.Content.ReadAsStringAsync());
        var id = (await started.Content.ReadFromJsonAsync<JobCreated>())!.Id;

        await WaitForAsync(async c => await c.Jobs.AsNoTracking().SingleAsync(j => j.Id == id),
            j => firstRequest.Task.IsCompleted || j.IsFinished, "the job to ask the data source for its members", a, b);
        await using var db = Folder.OpenDb();
        var running = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
        Assert.True(running.Status == JobStatus.Running, $"the job runs while the data source holds its request: {running.Status}, {running.Error}");
        var (victim, survivor) = running.LeaseOwner == "instance-a" ? (a, b) : (b, a);
        await victim.KillAsync();

        var finished = await WaitForAsync(async c => await c.Jobs.AsNoTracking().SingleAsync(j => j.Id == id), j => j.IsFinished,
            "the surviving instance to finish the killed instance's job", survivor);

        Assert.True(finished.Status == JobStatus.Succeeded, $"{finished.Status}: {finished.Error}");
        Assert.NotEqual(running.LeaseOwner, finished.LeaseOwner);
        Assert.Equal(2, finished.Attempts);
        Assert.Equal(2, source.Requests);
        var exports = await db.ExportRuns.AsNoTracking().Where(r => r.Audience == audience).ToListAsync();
        var export = Assert.Single(exports);
        Assert.Equal(ExportRunStatus.Succeeded, export.Status);
        Assert.Equal(2, export.MembersSent);
    }

    private async Task<PortalProcess> StartAsync(string instance, IReadOnlyDictionary<string, string>? more = null)
    {
        // A content root of its own (with the app's settings files), so no keys folder or other local file is shared.
        var dll = PortalProcess.PortalDll();
        var root = Directory.CreateDirectory(Path.Combine(Folder.Path, instance)).FullName;
        foreach (var settingsFile in Directory.GetFiles(Path.GetDirectoryName(dll)!, "appsettings*.json"))
        {
            File.Copy(settingsFile, Path.Combine(root, Path.GetFileName(settingsFile)));
        }

        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_CONTENTROOT"] = root,
            ["Database__Provider"] = Folder.Provider.ToString(),
            [Folder.Provider == DatabaseProvider.PostgreSql ? "ConnectionStrings__PostgreSQL" : "ConnectionStrings__Sqlite"] = Folder.ConnectionString,
            ["Database__SeedDemoData"] = "false",
            ["Bucket__Path"] = Path.Combine(Folder.Path, "bucket"),
            ["Portal__Admin__Email"] = Email,
            ["Portal__Admin__Password"] = Password,
            ["Sandbox__Enabled"] = "true",
            ["Jobs__InstanceId"] = instance,
            ["Jobs__LeaseSeconds"] = "4",
            ["Jobs__MaxConcurrency"] = "3",
            ["Jobs__RetryBaseSeconds"] = "1",
        };
        foreach (var (name, value) in more ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return await PortalProcess.StartAsync(dll, environment, TimeSpan.FromSeconds(120));
    }

    private static async Task<HttpClient> SignedInClientAsync(PortalProcess portal, CookieContainer cookies)
    {
        var client = NewClient(portal, cookies);
        var response = await PortalWebFactory.SignInAsync(client, Email, Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>A client for <paramref name="to"/> carrying the cookies a client got from <paramref name="from"/>.</summary>
    private static HttpClient ClientWithCookiesOf(CookieContainer signedIn, PortalProcess from, PortalProcess to)
    {
        var cookies = new CookieContainer();
        foreach (Cookie cookie in signedIn.GetCookies(new Uri(from.BaseUrl)))
        {
            cookies.Add(new Uri(to.BaseUrl), new Cookie(cookie.Name, cookie.Value, "/"));
        }

        return NewClient(to, cookies);
    }

    private static HttpClient NewClient(PortalProcess portal, CookieContainer cookies)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(portal.BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Add("X-Requested-With", "portal");
        return client;
    }

    /// <summary>Reads the database until <paramref name="done"/> holds (up to 90 s); says what the portals printed when it does not.</summary>
    private Task<T> WaitForAsync<T>(Func<PortalDbContext, Task<T>> read, Func<T, bool> done, string what, params PortalProcess[] portals) =>
        Waiting.ForAsync(async () =>
        {
            await using var db = Folder.OpenDb();
            return await read(db);
        }, done, what, 90, () => "\n" + string.Join("\n---\n", portals.Select(p => p.Output[^Math.Min(p.Output.Length, 4000)..])));

    private sealed record JobCreated(long Id);
}
