using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Data;
using Portal.Core.Jobs;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The portal's core (database, Identity stores, Coravel queue and scheduler, durable jobs) in a generic host on a
/// real SQLite file: what the web app runs, minus the web. Start it again on the same folder to simulate a restart.
/// </summary>
public sealed class CoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<CoreHost> StartAsync(TestFolder folder, Action<IServiceCollection>? services = null,
        IDictionary<string, string?>? settings = null, bool seedDemoData = false, string? environment = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = folder.Path, DisableDefaults = true, EnvironmentName = environment,
        });
        var values = new Dictionary<string, string?>
        {
            ["Database:SeedDemoData"] = seedDemoData ? "true" : "false",
            ["Database:DemoStory"] = "false", // a test that wants the demo's rules, files and audience asks for them
            ["Database:DemoUsers"] = "500",
            ["Database:DemoTransactions"] = "5000",
            ["Database:DemoDataEnd"] = DemoDates.End.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["Portal:Admin:Email"] = "admin@tests.local",
            ["Portal:Admin:Password"] = "Tests-Admin-Pass-1!",
            ["Coravel:Queue:ConsummationDelay"] = "1",
            ["Jobs:RetryBaseSeconds"] = "0.2",
            ["Jobs:ProgressIntervalMilliseconds"] = "0",
            // Tests write state files straight into the bucket and read pages at once: the index reconciles before every read.
            ["Audiences:IndexReconcileSeconds"] = "0",
        };
        foreach (var (key, value) in folder.DatabaseSettings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddPortalCore(builder.Configuration, folder.Path);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        host.Services.UsePortalCore();
        // Started off xunit's synchronization context, as the real app is: background work must not depend on the test's threads.
        await Task.Run(() => host.StartAsync());
        var core = new CoreHost(host);
        var startingStatus = core.Services.GetRequiredService<DatabaseStatus>();
        await core.WaitUntilAsync(() => Task.FromResult(startingStatus.State != DatabaseState.Starting), "the database to be prepared", 60,
            () => $"start-up was at: {startingStatus.Message}");
        var status = core.Services.GetRequiredService<DatabaseStatus>();
        if (!status.IsReady)
        {
            throw new InvalidOperationException("Core host did not become ready: " + status.Message);
        }

        return core;
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async Task<PortalDbContext> DbAsync() => await Get<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    public async Task<JobRecord> JobAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    /// <summary>Polls a condition (no fixed sleeps) until it holds, or fails after the timeout.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 30, Func<string>? detail = null) =>
        Waiting.UntilAsync(condition, what, timeoutSeconds, detail);

    public Task<JobRecord> WaitForJobAsync(long id, Func<JobRecord, bool> condition, string what, int timeoutSeconds = 30) =>
        Waiting.ForAsync(() => JobAsync(id), condition, $"job {id} to be {what}", timeoutSeconds);

    public async ValueTask DisposeAsync()
    {
        await Task.Run(() => _host.StopAsync(TimeSpan.FromSeconds(10)));
        _host.Dispose();
    }

    public static ClaimsPrincipal User(string name, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "Test"));

    public static ClaimsPrincipal Admin { get; } = User("admin@tests.local", Roles.Admin);
    public static ClaimsPrincipal Marketer { get; } = User("marketer@tests.local", Roles.Marketer);
    public static ClaimsPrincipal Viewer { get; } = User("viewer@tests.local", Roles.Viewer);
}
