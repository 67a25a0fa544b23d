using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Accounts;
using Portal.Core.Adtech;
using Portal.Core.Audiences;
using Portal.Core.Audit;
using Portal.Core.Customers;
using Portal.Core.Dashboard;
using Portal.Core.Instances;
using Portal.Core.Jobs;
using Portal.Core.Rules;
using Portal.Core.Segments;
using Portal.Core.Uploads;

namespace Portal.Core.Data;

/// <summary>
/// The one DbContext: Identity, the Data Protection keys, the seed-001 customer tables, jobs, the audit log, rules and segments, and the
/// uploads' catalog and aggregates, and the audience index. Created per operation through <see cref="IDbContextFactory{TContext}"/>; there is
/// no repository layer over it.
/// </summary>
public sealed class PortalDbContext(DbContextOptions<PortalDbContext> options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CreditCardTransaction> CreditCardTransactions => Set<CreditCardTransaction>();
    public DbSet<UpiTransaction> UpiTransactions => Set<UpiTransaction>();
    public DbSet<JobRecord> Jobs => Set<JobRecord>();
    public DbSet<JobSchedule> JobSchedules => Set<JobSchedule>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<DashboardTotals> DashboardTotals => Set<DashboardTotals>();
    public DbSet<AdtechConnectionRecord> AdtechConnections => Set<AdtechConnectionRecord>();
    public DbSet<ExportRun> ExportRuns => Set<ExportRun>();
    public DbSet<Rule> Rules => Set<Rule>();
    public DbSet<Segment> Segments => Set<Segment>();
    public DbSet<SegmentMember> SegmentMembers => Set<SegmentMember>();
    public DbSet<SegmentRefresh> SegmentRefreshes => Set<SegmentRefresh>();
    public DbSet<ImportedFile> ImportedFiles => Set<ImportedFile>();
    public DbSet<CampaignRevenue> CampaignRevenues => Set<CampaignRevenue>();
    public DbSet<DatasetHealthDay> DatasetHealthDays => Set<DatasetHealthDay>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<SharedLock> SharedLocks => Set<SharedLock>();
    public DbSet<AudienceIndexRow> AudienceIndex => Set<AudienceIndexRow>();
    public DbSet<AudienceIndexAdtech> AudienceIndexAdtechs => Set<AudienceIndexAdtech>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        var sqlite = Database.IsSqlite();
        builder.ApplyConfiguration(new CustomerConfiguration());
        builder.ApplyConfiguration(new CreditCardTransactionConfiguration(sqlite));
        builder.ApplyConfiguration(new UpiTransactionConfiguration(sqlite));
        builder.ApplyConfiguration(new JobRecordConfiguration());
        builder.ApplyConfiguration(new JobScheduleConfiguration());
        builder.ApplyConfiguration(new AuditEntryConfiguration());
        builder.ApplyConfiguration(new DashboardTotalsConfiguration(sqlite));
        builder.ApplyConfiguration(new AdtechConnectionRecordConfiguration());
        builder.ApplyConfiguration(new ExportRunConfiguration());
        builder.ApplyConfiguration(new RuleConfiguration());
        builder.ApplyConfiguration(new SegmentConfiguration());
        builder.ApplyConfiguration(new SegmentMemberConfiguration());
        builder.ApplyConfiguration(new SegmentRefreshConfiguration());
        builder.ApplyConfiguration(new ImportedFileConfiguration());
        builder.ApplyConfiguration(new CampaignRevenueConfiguration());
        builder.ApplyConfiguration(new DatasetHealthDayConfiguration());
        builder.ApplyConfiguration(new DataProtectionKeyConfiguration());
        builder.ApplyConfiguration(new SharedLockConfiguration());
        builder.ApplyConfiguration(new AudienceIndexRowConfiguration());
        builder.ApplyConfiguration(new AudienceIndexAdtechConfiguration());
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every DateTime the portal stores is UTC; say so on the way back out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}
