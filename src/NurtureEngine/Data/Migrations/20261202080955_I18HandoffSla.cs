using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class I18HandoffSla : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "handoff",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stage_id = table.Column<long>(type: "bigint", nullable: true),
                    origin = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    rule = table.Column<string>(type: "jsonb", nullable: false),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    task_id = table.Column<long>(type: "bigint", nullable: false),
                    handed_off_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    assigned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accept_by = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    decided_by = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_handoff", x => x.id);
                    table.ForeignKey(
                        name: "fk_handoff_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "round_robin_turn",
                schema: "nurture",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    turn = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_round_robin_turn", x => x.key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_handoff_assigned_at_owner",
                schema: "nurture",
                table: "handoff",
                columns: new[] { "assigned_at", "owner" });

            migrationBuilder.CreateIndex(
                name: "ix_handoff_lead_id_id",
                schema: "nurture",
                table: "handoff",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_handoff_pending_accept_by",
                schema: "nurture",
                table: "handoff",
                column: "accept_by",
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_handoff_pending_lead",
                schema: "nurture",
                table: "handoff",
                column: "lead_id",
                unique: true,
                filter: "status = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "handoff",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "round_robin_turn",
                schema: "nurture");
        }
    }
}
