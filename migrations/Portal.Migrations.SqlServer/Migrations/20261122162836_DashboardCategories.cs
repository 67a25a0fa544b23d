using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DashboardCategories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "categories_json",
                table: "dashboard_totals",
                type: "nvarchar(max)",
                nullable: false,
                defaultValue: "[]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "categories_json",
                table: "dashboard_totals");
        }
    }
}
