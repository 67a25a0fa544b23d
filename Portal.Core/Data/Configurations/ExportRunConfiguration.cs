using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Adtech;
using Portal.Core.Jobs;

namespace Portal.Core.Data;

public sealed class ExportRunConfiguration : IEntityTypeConfiguration<ExportRun>
{
    public void Configure(EntityTypeBuilder<ExportRun> b)
    {
        b.ToTable("export_runs");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.Audience).HasColumnName("audience").HasMaxLength(100);
        b.Property(x => x.AdtechKey).HasColumnName("adtech_key").HasMaxLength(50);
        b.Property(x => x.JobId).HasColumnName("job_id");
        b.Property(x => x.ResumedFromId).HasColumnName("resumed_from_id");
        b.Property(x => x.ExportKey).HasColumnName("export_key").HasMaxLength(64);
        b.Property(x => x.StartedUtc).HasColumnName("started_utc");
        b.Property(x => x.FinishedUtc).HasColumnName("finished_utc");
        b.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.AdtechAudienceId).HasColumnName("adtech_audience_id").HasMaxLength(500);
        b.Property(x => x.SyncOutcome).HasColumnName("sync_outcome").HasMaxLength(16);
        b.Property(x => x.Added).HasColumnName("added");
        b.Property(x => x.Removed).HasColumnName("removed");
        b.Property(x => x.Unchanged).HasColumnName("unchanged");
        b.Property(x => x.AdtechJob).HasColumnName("adtech_job").HasMaxLength(500);
        b.Property(x => x.MembersHash).HasColumnName("members_hash").HasMaxLength(64);
        b.Property(x => x.BatchSize).HasColumnName("batch_size");
        b.Property(x => x.BatchesCommitted).HasColumnName("batches_committed");
        b.Property(x => x.UploadCompleted).HasColumnName("upload_completed");
        b.Property(x => x.MembersSent).HasColumnName("members_sent");
        b.Property(x => x.FailedCount).HasColumnName("failed_count");
        b.Property(x => x.InvalidValues).HasColumnName("invalid_values");
        b.Property(x => x.EmptyMembers).HasColumnName("empty_members");
        b.Property(x => x.DurationMs).HasColumnName("duration_ms");
        b.Property(x => x.HttpStatus).HasColumnName("http_status");
        b.Property(x => x.ResponseMessage).HasColumnName("response_message").HasMaxLength(2000);
        b.Property(x => x.Members).HasColumnName("members");
        b.Property(x => x.ReportedReceived).HasColumnName("reported_received");
        b.Property(x => x.MatchedLow).HasColumnName("matched_low");
        b.Property(x => x.MatchedHigh).HasColumnName("matched_high");
        b.Property(x => x.AdtechMatchRate).HasColumnName("adtech_match_rate");
        b.Ignore(x => x.MatchRate);
        b.Ignore(x => x.IsFinished);
        b.HasIndex(x => new { x.Audience, x.AdtechKey, x.Id }).HasDatabaseName("ix_export_runs_audience_adtech");
        b.HasIndex(x => x.JobId).HasDatabaseName("ix_export_runs_job_id");
        b.HasOne<JobRecord>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.SetNull);
    }
}
