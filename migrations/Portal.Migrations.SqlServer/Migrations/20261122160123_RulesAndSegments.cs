using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RulesAndSegments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rule_table",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    rule_name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    conditions = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    schedule = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: true),
                    start_date = table.Column<DateTime>(type: "datetime2", nullable: true),
                    end_date = table.Column<DateTime>(type: "datetime2", nullable: true),
                    depends_on = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    operation = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: true),
                    created_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    created_by = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    updated_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    updated_by = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    version = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rule_table", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "segment_catalog",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    rule_id = table.Column<long>(type: "bigint", nullable: false),
                    segment_name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    table_name = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: false),
                    sql_query = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    last_refreshed_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    last_duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    status = table.Column<string>(type: "nvarchar(16)", maxLength: 16, nullable: false),
                    last_error = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    stale_since = table.Column<DateTime>(type: "datetime2", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_segment_catalog", x => x.id);
                    table.ForeignKey(
                        name: "FK_segment_catalog_rule_table_rule_id",
                        column: x => x.rule_id,
                        principalTable: "rule_table",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segment_members",
                columns: table => new
                {
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_segment_members", x => new { x.segment_id, x.user_id });
                    table.ForeignKey(
                        name: "FK_segment_members_segment_catalog_segment_id",
                        column: x => x.segment_id,
                        principalTable: "segment_catalog",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "segment_refreshes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: true),
                    started_at = table.Column<DateTime>(type: "datetime2", nullable: false),
                    finished_at = table.Column<DateTime>(type: "datetime2", nullable: true),
                    succeeded = table.Column<bool>(type: "bit", nullable: false),
                    row_count = table.Column<long>(type: "bigint", nullable: true),
                    duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    sql_query = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    error = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_segment_refreshes", x => x.id);
                    table.ForeignKey(
                        name: "FK_segment_refreshes_segment_catalog_segment_id",
                        column: x => x.segment_id,
                        principalTable: "segment_catalog",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ux_rule_table_rule_name",
                table: "rule_table",
                column: "rule_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_segment_catalog_rule_id",
                table: "segment_catalog",
                column: "rule_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_segment_members_user_id",
                table: "segment_members",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_segment_refreshes_segment_started",
                table: "segment_refreshes",
                columns: new[] { "segment_id", "started_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "segment_members");

            migrationBuilder.DropTable(
                name: "segment_refreshes");

            migrationBuilder.DropTable(
                name: "segment_catalog");

            migrationBuilder.DropTable(
                name: "rule_table");
        }
    }
}
