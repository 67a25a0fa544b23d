using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Jobs;

namespace Portal.Core.Data;

public sealed class JobRecordConfiguration : IEntityTypeConfiguration<JobRecord>
{
    public void Configure(EntityTypeBuilder<JobRecord> b)
    {
        b.ToTable("jobs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.Kind).HasColumnName("kind").HasMaxLength(100);
        b.Property(x => x.Title).HasColumnName("title").HasMaxLength(200);
        b.Property(x => x.Payload).HasColumnName("payload");
        b.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.ProgressDone).HasColumnName("progress_done");
        b.Property(x => x.ProgressTotal).HasColumnName("progress_total");
        b.Property(x => x.ProgressMessage).HasColumnName("progress_message").HasMaxLength(500);
        b.Property(x => x.Attempts).HasColumnName("attempts");
        b.Property(x => x.MaxAttempts).HasColumnName("max_attempts");
        b.Property(x => x.Error).HasColumnName("error");
        b.Property(x => x.RequestedBy).HasColumnName("requested_by").HasMaxLength(256);
        b.Property(x => x.CreatedAt).HasColumnName("created_at");
        b.Property(x => x.StartedAt).HasColumnName("started_at");
        b.Property(x => x.FinishedAt).HasColumnName("finished_at");
        b.Property(x => x.NotBefore).HasColumnName("not_before");
        b.Property(x => x.CancelRequested).HasColumnName("cancel_requested");
        b.Property(x => x.ScheduleId).HasColumnName("schedule_id");
        b.Property(x => x.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(JobOptions.MaxInstanceIdLength);
        b.Property(x => x.LeaseExpiresAt).HasColumnName("lease_expires_at");
        b.Ignore(x => x.Percent);
        b.Ignore(x => x.IsFinished);
        b.HasIndex(x => new { x.Status, x.NotBefore }).HasDatabaseName("ix_jobs_status_not_before");
        b.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_jobs_created_at");
        b.HasIndex(x => x.Kind).HasDatabaseName("ix_jobs_kind");
        b.HasOne<JobSchedule>().WithMany().HasForeignKey(x => x.ScheduleId).OnDelete(DeleteBehavior.SetNull);
    }
}
