using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Uploads : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "campaign_revenues",
                columns: table => new
                {
                    campaign_id = table.Column<long>(type: "INTEGER", nullable: false),
                    banner_id = table.Column<long>(type: "INTEGER", nullable: false),
                    quarter = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    revenue = table.Column<double>(type: "REAL", nullable: false),
                    clicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_revenues", x => new { x.campaign_id, x.banner_id, x.quarter });
                });

            migrationBuilder.CreateTable(
                name: "dataset_health_days",
                columns: table => new
                {
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    files_imported = table.Column<int>(type: "INTEGER", nullable: false),
                    files_rejected = table.Column<int>(type: "INTEGER", nullable: false),
                    rows_in = table.Column<long>(type: "INTEGER", nullable: false),
                    rows_kept = table.Column<long>(type: "INTEGER", nullable: false),
                    duplicate_rows = table.Column<long>(type: "INTEGER", nullable: false),
                    missing_values = table.Column<long>(type: "INTEGER", nullable: false),
                    cells = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_health_days", x => new { x.dataset, x.day });
                });

            migrationBuilder.CreateTable(
                name: "imported_files",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    dataset = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    partition = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    stored_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    checksum = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    size_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    rows_in = table.Column<long>(type: "INTEGER", nullable: false),
                    rows_kept = table.Column<long>(type: "INTEGER", nullable: false),
                    dropped_duplicate = table.Column<long>(type: "INTEGER", nullable: false),
                    dropped_missing = table.Column<long>(type: "INTEGER", nullable: false),
                    dropped_existing_key = table.Column<long>(type: "INTEGER", nullable: false),
                    missing_values = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    error_line = table.Column<long>(type: "INTEGER", nullable: true),
                    error_column = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    imported_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    imported_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: false),
                    job_id = table.Column<long>(type: "INTEGER", nullable: true),
                    source_modified_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_imported_files", x => x.id);
                    table.ForeignKey(
                        name: "FK_imported_files_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_campaign_revenues_quarter",
                table: "campaign_revenues",
                column: "quarter");

            migrationBuilder.CreateIndex(
                name: "ix_imported_files_dataset_partition",
                table: "imported_files",
                columns: new[] { "dataset", "partition", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_imported_files_imported_at",
                table: "imported_files",
                column: "imported_at");

            migrationBuilder.CreateIndex(
                name: "ix_imported_files_job_id",
                table: "imported_files",
                column: "job_id");

            migrationBuilder.CreateIndex(
                name: "ux_imported_files_dataset_file",
                table: "imported_files",
                columns: new[] { "dataset", "file_name" },
                unique: true,
                filter: "status = 'Imported'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_revenues");

            migrationBuilder.DropTable(
                name: "dataset_health_days");

            migrationBuilder.DropTable(
                name: "imported_files");
        }
    }
}
