using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ExportRunMatchReports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "adtech_match_rate",
                table: "export_runs",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "matched_high",
                table: "export_runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "matched_low",
                table: "export_runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "members",
                table: "export_runs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "reported_received",
                table: "export_runs",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "adtech_match_rate",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "matched_high",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "matched_low",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "members",
                table: "export_runs");

            migrationBuilder.DropColumn(
                name: "reported_received",
                table: "export_runs");
        }
    }
}
