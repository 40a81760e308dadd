using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class GlobalSendRate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "send_rate_state",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    tokens = table.Column<double>(type: "double precision", nullable: false),
                    refreshed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    behind_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_send_rate_state", x => x.id);
                });

            migrationBuilder.InsertData(
                schema: "nurture",
                table: "send_rate_state",
                columns: new[] { "id", "behind_since", "refreshed_at", "tokens" },
                values: new object[] { 1, null, null, 0.0 });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "send_rate_state",
                schema: "nurture");
        }
    }
}
