using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class I18Handoff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "handoff",
                schema: "nurture",
                table: "stage",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "handoff_turn",
                schema: "nurture",
                table: "stage",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "handoff",
                schema: "nurture",
                table: "stage");

            migrationBuilder.DropColumn(
                name: "handoff_turn",
                schema: "nurture",
                table: "stage");
        }
    }
}
