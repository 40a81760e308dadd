using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class Inbound : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "score_decayed_at",
                schema: "nurture",
                table: "lead",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "inbound_message",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    from_address = table.Column<string>(type: "text", nullable: true),
                    subject = table.Column<string>(type: "text", nullable: true),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: true),
                    message_id = table.Column<Guid>(type: "uuid", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbound_message", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "suppression",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    address_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_suppression", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_inbound_message_key",
                schema: "nurture",
                table: "inbound_message",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_inbound_message_lead_id",
                schema: "nurture",
                table: "inbound_message",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_suppression_address_hash",
                schema: "nurture",
                table: "suppression",
                column: "address_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbound_message",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "suppression",
                schema: "nurture");

            migrationBuilder.DropColumn(
                name: "score_decayed_at",
                schema: "nurture",
                table: "lead");
        }
    }
}
