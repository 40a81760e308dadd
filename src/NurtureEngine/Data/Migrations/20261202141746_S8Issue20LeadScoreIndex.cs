using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class S8Issue20LeadScoreIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_lead_score_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "score", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_lead_score_id",
                schema: "nurture",
                table: "lead");
        }
    }
}
