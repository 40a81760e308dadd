using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class FunnelRollup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_lead_pipeline_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.AddColumn<bool>(
                name: "converted",
                schema: "nurture",
                table: "stage_change",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "left_at",
                schema: "nurture",
                table: "stage_change",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "previous_entry_at",
                schema: "nurture",
                table: "stage_change",
                type: "timestamp with time zone",
                nullable: true);

            // Existing history: what StageMover keeps up to date from now on.
            migrationBuilder.Sql("""
                UPDATE nurture.stage_change c SET left_at = x.left_at, previous_entry_at = x.previous_entry_at
                FROM (SELECT id,
                             lead(at) OVER (PARTITION BY lead_id, pipeline_id ORDER BY at, id) AS left_at,
                             lag(at) OVER (PARTITION BY lead_id, to_stage_id ORDER BY at, id) AS previous_entry_at
                      FROM nurture.stage_change) x
                WHERE x.id = c.id AND (x.left_at IS NOT NULL OR x.previous_entry_at IS NOT NULL);
                UPDATE nurture.stage_change c SET converted = true FROM nurture.stage s
                WHERE s.id = c.to_stage_id AND EXISTS (
                    SELECT 1 FROM nurture.stage_change d JOIN nurture.stage s2 ON s2.id = d.to_stage_id
                    WHERE d.lead_id = c.lead_id AND d.id > c.id AND s2.pipeline_id = s.pipeline_id AND s2.position > s.position);
                """);

            migrationBuilder.CreateIndex(
                name: "ix_stage_change_funnel",
                schema: "nurture",
                table: "stage_change",
                columns: new[] { "pipeline_id", "to_stage_id", "at" })
                .Annotation("Npgsql:IndexInclude", new[] { "previous_entry_at", "converted", "left_at" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_pipeline_id_stage_id",
                schema: "nurture",
                table: "lead",
                columns: new[] { "pipeline_id", "stage_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "deal_value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_stage_change_funnel",
                schema: "nurture",
                table: "stage_change");

            migrationBuilder.DropIndex(
                name: "ix_lead_pipeline_id_stage_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.DropColumn(
                name: "converted",
                schema: "nurture",
                table: "stage_change");

            migrationBuilder.DropColumn(
                name: "left_at",
                schema: "nurture",
                table: "stage_change");

            migrationBuilder.DropColumn(
                name: "previous_entry_at",
                schema: "nurture",
                table: "stage_change");

            migrationBuilder.CreateIndex(
                name: "ix_lead_pipeline_id",
                schema: "nurture",
                table: "lead",
                column: "pipeline_id");
        }
    }
}
