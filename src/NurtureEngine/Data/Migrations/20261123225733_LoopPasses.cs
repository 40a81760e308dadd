using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class LoopPasses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_message_enrollment_id_step_id",
                schema: "nurture",
                table: "message");

            migrationBuilder.AddColumn<int>(
                name: "pass",
                schema: "nurture",
                table: "message",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "pass",
                schema: "nurture",
                table: "enrollment",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "ix_message_enrollment_id_step_id_pass",
                schema: "nurture",
                table: "message",
                columns: new[] { "enrollment_id", "step_id", "pass" },
                unique: true,
                filter: "enrollment_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_message_enrollment_id_step_id_pass",
                schema: "nurture",
                table: "message");

            migrationBuilder.DropColumn(
                name: "pass",
                schema: "nurture",
                table: "message");

            migrationBuilder.DropColumn(
                name: "pass",
                schema: "nurture",
                table: "enrollment");

            migrationBuilder.CreateIndex(
                name: "ix_message_enrollment_id_step_id",
                schema: "nurture",
                table: "message",
                columns: new[] { "enrollment_id", "step_id" },
                unique: true,
                filter: "enrollment_id IS NOT NULL");
        }
    }
}
