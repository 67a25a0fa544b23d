using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Jobs;

namespace Portal.Core.Data;

public sealed class JobScheduleConfiguration : IEntityTypeConfiguration<JobSchedule>
{
    public void Configure(EntityTypeBuilder<JobSchedule> b)
    {
        b.ToTable("job_schedules");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        b.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(100);
        b.Property(x => x.Payload).HasColumnName("payload");
        b.Property(x => x.Cron).HasColumnName("cron").HasMaxLength(100);
        b.Property(x => x.Enabled).HasColumnName("enabled");
        b.Property(x => x.LastRunAt).HasColumnName("last_run_at");
        b.Property(x => x.NextRunAt).HasColumnName("next_run_at");
        b.Property(x => x.CreatedBy).HasColumnName("created_by").HasMaxLength(256);
        b.Property(x => x.CreatedAt).HasColumnName("created_at");
        b.HasIndex(x => x.Name).IsUnique().HasDatabaseName("ux_job_schedules_name");
        b.HasIndex(x => new { x.Enabled, x.NextRunAt }).HasDatabaseName("ix_job_schedules_due");
    }
}
