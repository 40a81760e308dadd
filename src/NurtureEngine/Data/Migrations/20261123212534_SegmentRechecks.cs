using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class SegmentRechecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "segment_recheck",
                schema: "nurture",
                columns: table => new
                {
                    segment_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_recheck", x => new { x.segment_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_segment_recheck_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_segment_recheck_segment_segment_id",
                        column: x => x.segment_id,
                        principalSchema: "nurture",
                        principalTable: "segment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_segment_recheck_due_at",
                schema: "nurture",
                table: "segment_recheck",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "ix_segment_recheck_lead_id",
                schema: "nurture",
                table: "segment_recheck",
                column: "lead_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "segment_recheck",
                schema: "nurture");
        }
    }
}
