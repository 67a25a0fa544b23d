using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExportRunSyncCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "added",
                table: "export_runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "removed",
                table: "export_runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sync_outcome",
                table: "export_runs",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "unchanged",
                table: "export_runs",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "added",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "removed",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "sync_outcome",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "unchanged",
                table: "export_runs");
        }
    }
}
