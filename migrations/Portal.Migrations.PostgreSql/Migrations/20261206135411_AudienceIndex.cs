using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AudienceIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audience_index",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    path = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    name = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    country = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    source_kind = table.Column<int>(type: "integer", nullable: false),
                    source = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    source_response_date = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    source_response_status = table.Column<int>(type: "integer", nullable: true),
                    source_response_message = table.Column<string>(type: "text", nullable: true),
                    is_valid = table.Column<bool>(type: "boolean", nullable: false),
                    issue_count = table.Column<int>(type: "integer", nullable: false),
                    first_issue = table.Column<string>(type: "text", nullable: true),
                    has_member_data = table.Column<bool>(type: "boolean", nullable: false),
                    members = table.Column<long>(type: "bigint", nullable: true),
                    hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    modified_utc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    data_size = table.Column<long>(type: "bigint", nullable: true),
                    data_modified_utc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    indexed_utc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audience_index", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audience_index_adtechs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    audience_id = table.Column<long>(type: "bigint", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    adtech_key = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    name = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    external_id = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    status = table.Column<int>(type: "integer", nullable: false),
                    response_date = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    response_status = table.Column<int>(type: "integer", nullable: true),
                    response_message = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audience_index_adtechs", x => x.id);
                    table.ForeignKey(
                        name: "FK_audience_index_adtechs_audience_index_audience_id",
                        column: x => x.audience_id,
                        principalTable: "audience_index",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audience_index_name",
                table: "audience_index",
                column: "name");

            migrationBuilder.CreateIndex(
                name: "ux_audience_index_path",
                table: "audience_index",
                column: "path",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audience_index_adtechs_audience",
                table: "audience_index_adtechs",
                column: "audience_id");

            migrationBuilder.CreateIndex(
                name: "ix_audience_index_adtechs_key_status",
                table: "audience_index_adtechs",
                columns: new[] { "adtech_key", "status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audience_index_adtechs");

            migrationBuilder.DropTable(
                name: "audience_index");
        }
    }
}
