using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AdtechConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "adtech_connections",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    adtech_key = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    base_url = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    account_id = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    protected_token = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_adtech_connections", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ux_adtech_connections_key",
                table: "adtech_connections",
                column: "adtech_key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "adtech_connections");
        }
    }
}
