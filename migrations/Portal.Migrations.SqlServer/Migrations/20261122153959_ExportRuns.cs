using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ExportRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "export_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    audience = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    adtech_key = table.Column<string>(type: "nvarchar(50)", maxLength: 50, nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: true),
                    resumed_from_id = table.Column<long>(type: "bigint", nullable: true),
                    export_key = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    started_utc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    finished_utc = table.Column<DateTime>(type: "datetime2", nullable: true),
                    status = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    adtech_audience_id = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    adtech_job = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: true),
                    batch_size = table.Column<int>(type: "int", nullable: false),
                    batches_committed = table.Column<int>(type: "int", nullable: false),
                    upload_completed = table.Column<bool>(type: "bit", nullable: false),
                    members_sent = table.Column<long>(type: "bigint", nullable: false),
                    failed_count = table.Column<long>(type: "bigint", nullable: false),
                    invalid_values = table.Column<long>(type: "bigint", nullable: false),
                    empty_members = table.Column<long>(type: "bigint", nullable: false),
                    duration_ms = table.Column<long>(type: "bigint", nullable: false),
                    http_status = table.Column<int>(type: "int", nullable: true),
                    response_message = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_export_runs", x => x.id);
                    table.ForeignKey(
                        name: "FK_export_runs_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "ix_export_runs_audience_adtech",
                table: "export_runs",
                columns: new[] { "audience", "adtech_key", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_export_runs_job_id",
                table: "export_runs",
                column: "job_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "export_runs");
        }
    }
}
