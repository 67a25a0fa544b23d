using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Jobs;
using Portal.Core.Uploads;

namespace Portal.Core.Data;

public sealed class ImportedFileConfiguration : IEntityTypeConfiguration<ImportedFile>
{
    public void Configure(EntityTypeBuilder<ImportedFile> b)
    {
        b.ToTable("imported_files");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasColumnName("id");
        b.Property(x => x.Dataset).HasColumnName("dataset").HasMaxLength(64);
        b.Property(x => x.Partition).HasColumnName("partition").HasMaxLength(32);
        b.Property(x => x.FileName).HasColumnName("file_name").HasMaxLength(255);
        b.Property(x => x.StoredPath).HasColumnName("stored_path").HasMaxLength(400);
        b.Property(x => x.Checksum).HasColumnName("checksum").HasMaxLength(64);
        b.Property(x => x.SizeBytes).HasColumnName("size_bytes");
        b.Property(x => x.RowsIn).HasColumnName("rows_in");
        b.Property(x => x.RowsKept).HasColumnName("rows_kept");
        b.Property(x => x.DroppedDuplicate).HasColumnName("dropped_duplicate");
        b.Property(x => x.DroppedMissing).HasColumnName("dropped_missing");
        b.Property(x => x.DroppedExistingKey).HasColumnName("dropped_existing_key");
        b.Property(x => x.MissingValues).HasColumnName("missing_values");
        b.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Source).HasColumnName("source").HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Error).HasColumnName("error").HasMaxLength(2000);
        b.Property(x => x.ErrorLine).HasColumnName("error_line");
        b.Property(x => x.ErrorColumn).HasColumnName("error_column").HasMaxLength(64);
        b.Property(x => x.ImportedBy).HasColumnName("imported_by").HasMaxLength(256);
        b.Property(x => x.ImportedAt).HasColumnName("imported_at");
        b.Property(x => x.DurationMs).HasColumnName("duration_ms");
        b.Property(x => x.JobId).HasColumnName("job_id");
        b.Property(x => x.SourceModifiedAt).HasColumnName("source_modified_at");
        b.Ignore(x => x.DroppedTotal);
        // A file name is imported once per dataset; rejected and failed attempts may repeat.
        b.HasIndex(x => new { x.Dataset, x.FileName }).IsUnique().HasFilter("status = 'Imported'").HasDatabaseName("ux_imported_files_dataset_file");
        b.HasIndex(x => new { x.Dataset, x.Partition, x.Status }).HasDatabaseName("ix_imported_files_dataset_partition");
        b.HasIndex(x => x.ImportedAt).HasDatabaseName("ix_imported_files_imported_at");
        b.HasIndex(x => x.JobId).HasDatabaseName("ix_imported_files_job_id");
        b.HasOne<JobRecord>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.SetNull);
    }
}
