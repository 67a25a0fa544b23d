using Coravel;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Outbound;
using Portal.Core.Security;
using Portal.Core.Segments;
using Portal.Core.Uploads;

namespace Portal.Core;

public static class PortalCoreServiceCollectionExtensions
{
    /// <summary>
    /// Everything below the UI: the database, Identity's stores, the durable job queue and its Coravel plumbing, and
    /// the feature services. The web app and the integration tests both start from here.
    /// </summary>
    public static IServiceCollection AddPortalCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var settings = DatabaseSettings.From(configuration, contentRoot);
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DatabaseStatus>();
        services.AddDbContextFactory<PortalDbContext>((sp, options) =>
        {
            // With a configuration error the services still resolve (on an empty in-memory SQLite database that
            // nothing uses): start-up reports the error on DatabaseStatus and every page shows it, instead of a crash.
            var connectionString = settings.ConfigurationError is null ? settings.ConnectionString : "Data Source=:memory:";
            options.Use(settings.Provider, connectionString, settings.Options.CommandTimeoutSeconds);
            // Every write is counted, so the cached lineage graph knows when it is out of date.
            options.AddInterceptors(sp.GetRequiredService<Lineage.LineageWriteInterceptor>());
        });

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>();
        services.Configure<AdminOptions>(configuration.GetSection(AdminOptions.Section));
        services.Configure<JobOptions>(configuration.GetSection(JobOptions.Section));

        services.AddQueue();
        services.AddScheduler();
        services.AddTransient<JobRunner>();
        services.AddTransient<JobPump>();
        services.AddSingleton<JobNotifier>();
        services.AddSingleton<JobExecutor>();
        services.AddHostedService(sp => sp.GetRequiredService<JobExecutor>());
        services.AddSingleton<JobQueue>();
        services.AddSingleton<JobQueries>();
        services.AddSingleton<JobSchedules>();
        services.AddSingleton<JobRecovery>();
        services.AddSingleton<Instances.SharedLocks>();

        services.AddSingleton<AuditLog>();
        services.AddSingleton<AccountsBootstrap>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<CustomerDataLoader>();
        services.AddSingleton<CustomerDataVersion>();
        var bucket = configuration.GetSection(BucketOptions.Section).Get<BucketOptions>() ?? new BucketOptions();
        services.AddSingleton<IBucket>(new LocalBucket(Path.IsPathRooted(bucket.Path) ? bucket.Path : Path.Combine(contentRoot, bucket.Path)));
        services.AddSingleton(YamlLimits.For(bucket));
        services.Configure<AudienceOptions>(configuration.GetSection(AudienceOptions.Section));
        services.AddSingleton<AudienceCatalog>();
        services.AddSingleton<AudienceIndex>();
        services.AddSingleton<AudienceQueries>();
        services.AddSingleton<AudienceEditor>();
        services.AddSingleton<AudienceSyncSchedules>();
        services.AddSingleton<Rules.RuleService>();
        services.AddSingleton<Rules.RuleVocabulary>();
        services.AddSingleton<Rules.RuleQueries>();
        services.AddSingleton<Segments.SegmentQueries>();
        services.AddSingleton<Segments.DependencyFinder>();
        services.AddSingleton<SegmentEstimator>();
        services.AddSingleton<SegmentImpact>();
        services.AddSingleton<SegmentRefresher>();
        services.AddSingleton<Lineage.LineageBuilder>();
        services.AddSingleton<Lineage.LineageDataVersion>();
        services.AddSingleton<Lineage.LineageWriteInterceptor>();
        services.AddSingleton<Lineage.LineageGraphCache>();
        services.AddSingleton<Lineage.LineageLayout>();
        services.AddSingleton<Lineage.LineageLayoutWarmer>();
        services.AddHostedService(sp => sp.GetRequiredService<Lineage.LineageLayoutWarmer>());
        // Internal: queued by the rules (a rule's trigger and schedule) with the rule's id, not by request.
        services.AddJobHandler<RefreshSegmentJob>(RefreshSegmentJob.Kind, RefreshSegmentJob.DisplayName);
        services.Configure<DataSourceOptions>(configuration.GetSection(DataSourceOptions.Section));
        services.AddOutboundPolicy(configuration);
        services.AddHttpClient<HttpDataSource>().UseOutboundPolicy();
        services.AddSingleton<Segments.SegmentDataSource>();
        services.AddSingleton<Segments.SegmentAudiences>();
        services.AddSingleton(configuration.GetSection(AdtechRetryOptions.Section).Get<AdtechRetryOptions>() ?? new AdtechRetryOptions());
        services.AddSingleton(configuration.GetSection(MetaOptions.Section).Get<MetaOptions>() ?? new MetaOptions());
        services.AddSingleton(configuration.GetSection(GoogleAdsOptions.Section).Get<GoogleAdsOptions>() ?? new GoogleAdsOptions());
        services.AddSingleton(configuration.GetSection(GoogleDataManagerOptions.Section).Get<GoogleDataManagerOptions>() ?? new GoogleDataManagerOptions());
        // Google's Data Manager quota is per Cloud project: one pace for every request of this process.
        services.AddSingleton(sp => RequestQuota.PerMinute(sp.GetRequiredService<GoogleDataManagerOptions>().RequestsPerMinute, sp.GetRequiredService<TimeProvider>()));
        // Adtech answers are small JSON documents (ids, counts, errors): a larger one is refused rather than buffered.
        services.AddHttpClient<AdtechHttp>().UseOutboundPolicy(requireHttps: true)
            .ConfigureHttpClient(c => c.MaxResponseContentBufferSize = AdtechHttp.MaxAnswerBytes);
        services.AddTransient<AdtechConnector, AdtechAConnector>();
        services.AddTransient<AdtechConnector, AdtechBConnector>();
        services.AddTransient<AdtechConnector, MetaConnector>();
        services.AddTransient<AdtechConnector, GoogleAdsConnector>();
        services.AddTransient<AdtechConnector, GoogleDataManagerConnector>();
        services.AddSingleton<ConfiguredAdtechConnections>();
        services.AddSingleton<AdtechConnectionStore>();
        services.AddSingleton<IAdtechConnections>(sp => sp.GetRequiredService<AdtechConnectionStore>());
        services.AddSingleton<AudienceExporter>();
        services.AddSingleton(configuration.GetSection(Adtech.Sync.MirrorSyncOptions.Section).Get<Adtech.Sync.MirrorSyncOptions>() ?? new Adtech.Sync.MirrorSyncOptions());
        services.AddSingleton<AudienceMirror>();
        services.AddSingleton<Adtech.Matching.MatchReports>();
        services.AddSingleton<AudienceSyncRequests>();
        services.AddSingleton<ExportRunQueries>();
        services.AddSingleton<ConnectionHealth>();
        // Keys that encrypt stored credentials (and sign-in cookies) live with the data, so both survive restarts.
        services.AddPortalDataProtection(configuration, contentRoot);
        services.AddTransient<CatalogRunner>();
        services.AddJobHandler<CatalogRunJob>(CatalogRunJob.Kind, CatalogRunJob.DisplayName, CatalogRunPayload.StartRule);
        services.AddSingleton<DashboardQueries>();
        services.AddJobHandler<RecomputeDashboardTotalsJob>(RecomputeDashboardTotalsJob.Kind, RecomputeDashboardTotalsJob.DisplayName, JobStartRule.WithoutPayload);

        services.Configure<UploadOptions>(configuration.GetSection(UploadOptions.Section));
        services.AddSingleton<DatasetImporter>(); // one import at a time: it holds the gate
        services.AddSingleton<UploadService>();
        services.AddSingleton<ImportLeftovers>();
        services.AddSingleton<DropFolderScan>();
        services.AddSingleton<ImportedFileQueries>();
        services.AddSingleton<DatasetHealthQueries>();
        services.AddSingleton<CampaignRevenueQueries>();
        services.AddSingleton<Lineage.ILineageContributor, UploadsLineage>();
        services.AddSingleton<Lineage.ILineageContributor, Maintenance.MaintenanceLineage>();
        // Internal: queued by the upload that staged the file, with its bucket path.
        services.AddJobHandler<DatasetImportJob>(DatasetImportJob.Kind, DatasetImportJob.DisplayName);
        services.AddJobHandler<DropFolderScanJob>(DropFolderScanJob.Kind, DropFolderScanJob.DisplayName, JobStartRule.WithoutPayload);

        services.Configure<Maintenance.RetentionOptions>(configuration.GetSection(Maintenance.RetentionOptions.Section));
        services.AddSingleton<Maintenance.RetentionPruner>();
        services.AddSingleton<Maintenance.BucketOrphans>();
        services.AddSingleton<Maintenance.RetentionRun>();
        services.AddJobHandler<Maintenance.RetentionJob>(Maintenance.RetentionJob.Kind, Maintenance.RetentionJob.DisplayName, JobStartRule.WithoutPayload);

        services.AddSingleton<Demo.DemoStory>();
        services.AddSingleton<PortalInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<PortalInitializer>());
        return services;
    }

    /// <summary>Starts Coravel's scheduler: the job pump every second (retries due, cron schedules due).</summary>
    public static IServiceProvider UsePortalCore(this IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Jobs");
        services.UseScheduler(s => s.Schedule<JobPump>().EverySecond().PreventOverlapping(nameof(JobPump)))
            .OnError(ex => logger.LogError(ex, "The job pump failed"));
        return services;
    }
}
