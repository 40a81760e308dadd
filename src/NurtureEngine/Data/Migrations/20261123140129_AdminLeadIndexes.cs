using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class AdminLeadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_lead_owner",
                schema: "nurture",
                table: "lead");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateIndex(
                name: "ix_lead_owner_stage_id_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "owner", "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_search_trgm",
                schema: "nurture",
                table: "lead",
                columns: new[] { "email", "first_name", "last_name", "company" })
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_status_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "status", "id" },
                filter: "status <> 'Subscribed'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_lead_owner_stage_id_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.DropIndex(
                name: "ix_lead_search_trgm",
                schema: "nurture",
                table: "lead");

            migrationBuilder.DropIndex(
                name: "ix_lead_status_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateIndex(
                name: "ix_lead_owner",
                schema: "nurture",
                table: "lead",
                column: "owner");
        }
    }
}
