using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Uploads;

namespace Portal.Core.Data;

public sealed class DatasetHealthDayConfiguration : IEntityTypeConfiguration<DatasetHealthDay>
{
    public void Configure(EntityTypeBuilder<DatasetHealthDay> b)
    {
        b.ToTable("dataset_health_days");
        b.HasKey(x => new { x.Dataset, x.Day });
        b.Property(x => x.Dataset).HasColumnName("dataset").HasMaxLength(64);
        b.Property(x => x.Day).HasColumnName("day");
        b.Property(x => x.FilesImported).HasColumnName("files_imported");
        b.Property(x => x.FilesRejected).HasColumnName("files_rejected");
        b.Property(x => x.RowsIn).HasColumnName("rows_in");
        b.Property(x => x.RowsKept).HasColumnName("rows_kept");
        b.Property(x => x.DuplicateRows).HasColumnName("duplicate_rows");
        b.Property(x => x.MissingValues).HasColumnName("missing_values");
        b.Property(x => x.Cells).HasColumnName("cells");
        b.Ignore(x => x.MissingShare);
        b.Ignore(x => x.DuplicateRate);
    }
}
