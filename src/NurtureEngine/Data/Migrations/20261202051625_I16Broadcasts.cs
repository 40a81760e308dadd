using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class I16Broadcasts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "broadcast_id",
                schema: "nurture",
                table: "message",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "broadcast",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    audience = table.Column<int>(type: "integer", nullable: false),
                    template_version_ids = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    decide_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    winner = table.Column<int>(type: "integer", nullable: true),
                    decision = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcast", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "broadcast_recipient",
                schema: "nurture",
                columns: table => new
                {
                    broadcast_id = table.Column<long>(type: "bigint", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    variant = table.Column<int>(type: "integer", nullable: true),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_broadcast_recipient", x => new { x.broadcast_id, x.lead_id });
                    table.ForeignKey(
                        name: "fk_broadcast_recipient_broadcast_broadcast_id",
                        column: x => x.broadcast_id,
                        principalSchema: "nurture",
                        principalTable: "broadcast",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_broadcast_recipient_leads_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_message_broadcast_id_lead_id",
                schema: "nurture",
                table: "message",
                columns: new[] { "broadcast_id", "lead_id" },
                unique: true,
                filter: "broadcast_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_message_broadcast_open",
                schema: "nurture",
                table: "message",
                column: "broadcast_id",
                filter: "broadcast_id IS NOT NULL AND status IN ('Scheduled', 'Sending')");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_key",
                schema: "nurture",
                table: "broadcast",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_start_at",
                schema: "nurture",
                table: "broadcast",
                column: "start_at",
                filter: "status = 'Scheduled'");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_due_at",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "due_at",
                filter: "message_id IS NULL AND variant IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_lead_id",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_broadcast_recipient_unqueued",
                schema: "nurture",
                table: "broadcast_recipient",
                column: "broadcast_id",
                filter: "message_id IS NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_message_broadcast_broadcast_id",
                schema: "nurture",
                table: "message",
                column: "broadcast_id",
                principalSchema: "nurture",
                principalTable: "broadcast",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_message_broadcast_broadcast_id",
                schema: "nurture",
                table: "message");

            migrationBuilder.DropTable(
                name: "broadcast_recipient",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "broadcast",
                schema: "nurture");

            migrationBuilder.DropIndex(
                name: "ix_message_broadcast_id_lead_id",
                schema: "nurture",
                table: "message");

            migrationBuilder.DropIndex(
                name: "ix_message_broadcast_open",
                schema: "nurture",
                table: "message");

            migrationBuilder.DropColumn(
                name: "broadcast_id",
                schema: "nurture",
                table: "message");
        }
    }
}
