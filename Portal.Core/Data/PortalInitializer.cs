using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Audiences;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Instances;
using Portal.Core.Jobs;
using Portal.Core.Uploads;

namespace Portal.Core.Data;

/// <summary>
/// Prepares the database in the background while the web server already answers (with a "starting" page):
/// migrations, roles and the first admin, demo data on a first run, what interrupted imports left removed, then job recovery. A wrong configuration or an
/// unreachable server leaves a clear message on <see cref="DatabaseStatus"/>; connection failures are retried.
/// </summary>
public sealed partial class PortalInitializer(
    DatabaseSettings settings,
    DatabaseStatus status,
    IDbContextFactory<PortalDbContext> dbFactory,
    AccountsBootstrap accounts,
    CustomerDataLoader loader,
    JobQueue queue,
    JobSchedules schedules,
    JobRecovery recovery,
    SharedLocks locks,
    ImportLeftovers importLeftovers,
    IBucket bucket,
    Demo.DemoStory story,
    AudienceIndex audienceIndex,
    Rules.RuleVocabulary vocabulary,
    TimeProvider clock,
    ILogger<PortalInitializer> logger) : BackgroundService
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    // On the thread pool, never on the starting thread's synchronization context.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => RunAsync(stoppingToken), stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await InitializeAsync(stoppingToken);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (PortalSetupException ex)
            {
                Fail(ex.Message, null);
                return;
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                Fail($"Cannot reach the database ({settings.Describe()}): {ex.GetBaseException().Message} Retrying every {RetryDelay.TotalSeconds:0} seconds.", ex);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
#pragma warning disable CA1031 // start-up failures are shown on the status page, the app keeps running
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail($"The database could not be prepared ({settings.Describe()}): {ex.GetBaseException().Message}", ex);
                return;
            }
        }
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (settings.ConfigurationError is { } configError)
        {
            throw new PortalSetupException(configError);
        }

        status.Set(DatabaseState.Starting, $"Connecting to {settings.Describe()}");
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (settings.Options.ShouldMigrate(settings.Provider))
            {
                status.Set(DatabaseState.Starting, "Applying database migrations");
                await db.Database.MigrateAsync(cancellationToken);
            }
            else if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                await db.Database.OpenConnectionAsync(cancellationToken); // throws the provider's own reason
            }

            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                // Readers do not block the writer (jobs write while pages read).
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }

        // One instance at a time from here: instances starting together on a new database would each create the
        // first admin and the demo data.
        await using (await locks.AcquireAsync(SharedLocks.StartUp, cancellationToken,
            () => status.Set(DatabaseState.Starting, "Waiting for another portal instance to finish starting")))
        {
            // Before anything below queues a job (which may start at once): what is Running now was left by a stopped process.
            await recovery.RequeueInterruptedAsync(cancellationToken);
            var password = await accounts.EnsureAsync(cancellationToken);
            if (password is not null)
            {
                // Printed once, to the console only (not to the log), so the first person can sign in.
                Console.WriteLine(AccountsBootstrap.FirstStartNotice(accounts.AdminEmail, password));
            }

            var demoEnd = settings.Options.DemoDataEnd ?? DemoDataGenerator.EndFor(clock);
            var seeded = settings.Options.SeedDemoData && await IsEmptyAsync(cancellationToken);
            if (seeded)
            {
                await SeedDemoDataAsync(demoEnd, cancellationToken);
            }

            if (settings.Options.SeedDemoData)
            {
                await DemoAudiences.SeedAsync(bucket, cancellationToken);
            }

            // Before Ready: no import of this instance runs yet, so what is staged was left by a stopped process (or is
            // being written by another instance, which the clean-up leaves alone).
            await importLeftovers.CleanAtStartAsync(cancellationToken);
            if (seeded && settings.Options.DemoStory)
            {
                var told = new InlineProgress<string>(step => status.Set(DatabaseState.Starting, step));
                var result = await story.CreateAsync(demoEnd, told, cancellationToken);
                LogStory(logger, result.FilesImported, result.RulesCreated, result.SegmentsRefreshed, result.AudienceCreated);
            }
        }

        status.Set(DatabaseState.Ready, "Ready");
        var resumed = await recovery.DispatchQueuedAsync(cancellationToken);
        LogReady(logger, settings.Describe(), resumed);
        await ReconcileAudienceIndexAsync(cancellationToken);
        await WarmRuleVocabularyAsync(cancellationToken);
    }

    /// <summary>The rule builder's pickers read once now (seconds at millions of transactions) rather than on the first rule editor opened.</summary>
    private async Task WarmRuleVocabularyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await vocabulary.WarmAsync(cancellationToken);
        }
#pragma warning disable CA1031 // the portal runs on; the first rule editor opened reads them again
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogVocabularyFailed(logger, ex);
        }
    }

    /// <summary>
    /// Brings the audience index in line with the bucket (files changed while the portal was stopped, the demo's
    /// audiences). After Ready: a page read meanwhile waits for it. A failure is logged; the first read tries again.
    /// </summary>
    private async Task ReconcileAudienceIndexAsync(CancellationToken cancellationToken)
    {
        try
        {
            await audienceIndex.ReconcileAsync(cancellationToken);
        }
#pragma warning disable CA1031 // the portal runs on; every read reconciles the index again when it is due
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogIndexFailed(logger, ex);
        }
    }

    private async Task<bool> IsEmptyAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return !await db.Customers.AnyAsync(cancellationToken);
    }

    private async Task SeedDemoDataAsync(DateTime end, CancellationToken cancellationToken)
    {
        var users = settings.Options.DemoUsers;
        var transactions = settings.Options.DemoTransactions;
        // Reported in order on this thread: Progress<T> would post to the thread pool, and a late report could land
        // after Ready and put the portal back to "starting".
        var progress = new InlineProgress<LoadProgress>(p => status.Set(DatabaseState.Starting, p.Table == "indexes"
            ? $"Loading demo data: {p.Table} ({p.Done} of {p.Total})"
            : $"Loading demo data: {p.RowsDone:N0} of {p.RowsTotal:N0} rows ({100.0 * p.RowsDone / Math.Max(1, p.RowsTotal):0}%)"));
        var result = await loader.LoadAsync(new DemoDataGenerator(end), users, transactions, progress, cancellationToken);
        LogSeeded(logger, result.Users, result.CreditCardTransactions + result.UpiTransactions, result.RowsPerSecond);
        status.Set(DatabaseState.Starting, "Demo data loaded; queueing the dashboard totals");
        await queue.EnqueueAsync(RecomputeDashboardTotalsJob.Kind, SystemPrincipal.Instance, title: "Recompute dashboard totals (after demo data load)", cancellationToken: cancellationToken);
        status.Set(DatabaseState.Starting, "Demo data loaded; adding the nightly schedule");
        if ((await schedules.ListAsync(cancellationToken)).Count == 0)
        {
            await schedules.CreateAsync("Nightly dashboard totals", RecomputeDashboardTotalsJob.Kind, "0 2 * * *", SystemPrincipal.Instance, cancellationToken);
            await schedules.CreateAsync("Hourly audience catalog run", Audiences.CatalogRunJob.Kind, "0 * * * *", SystemPrincipal.Instance, cancellationToken);
            await schedules.CreateAsync("Drop folder every 5 minutes", Uploads.DropFolderScanJob.Kind, "*/5 * * * *", SystemPrincipal.Instance, cancellationToken);
            await schedules.CreateAsync(Maintenance.RetentionJob.ScheduleName, Maintenance.RetentionJob.Kind, Maintenance.RetentionJob.DefaultCron, SystemPrincipal.Instance, cancellationToken);
        }
    }

    private void Fail(string message, Exception? ex)
    {
        status.Set(DatabaseState.Failed, message, ex?.GetType().Name);
        LogFailed(logger, message);
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is SqlException or System.Net.Sockets.SocketException or TimeoutException
        || ex.InnerException is SqlException or System.Net.Sockets.SocketException
        || (ex is SqliteException sqlite && sqlite.SqliteErrorCode is 14 /* CANTOPEN */);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ready: {Where}; {Resumed} queued job(s) resumed")]
    private static partial void LogReady(ILogger logger, string where, int resumed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded demo data: {Users} customers, {Transactions} transactions ({RowsPerSecond:0} rows/s)")]
    private static partial void LogSeeded(ILogger logger, long users, long transactions, double rowsPerSecond);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo story: {Files} files imported, {Rules} rules saved, {Segments} segments refreshed, audience {Audience} queued for export")]
    private static partial void LogStory(ILogger logger, int files, int rules, int segments, string? audience);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audience index could not be reconciled with the bucket at start-up")]
    private static partial void LogIndexFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The rule builder's values could not be read at start-up")]
    private static partial void LogVocabularyFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
    private static partial void LogFailed(ILogger logger, string message);
}
