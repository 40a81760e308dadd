using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class Segments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "segment",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    filter = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "segment_member",
                schema: "nurture",
                columns: table => new
                {
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_member", x => new { x.segment_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_segment_member_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_segment_member_segment_segment_id",
                        column: x => x.segment_id,
                        principalSchema: "nurture",
                        principalTable: "segment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_segment_key",
                schema: "nurture",
                table: "segment",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_segment_member_lead_id",
                schema: "nurture",
                table: "segment_member",
                column: "lead_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "segment_member",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "segment",
                schema: "nurture");
        }
    }
}
