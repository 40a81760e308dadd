using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class AdminTasks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sales_task",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    done_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    done_by = table.Column<string>(type: "text", nullable: true),
                    enrollment_id = table.Column<long>(type: "bigint", nullable: true),
                    sequence_id = table.Column<long>(type: "bigint", nullable: true),
                    step_id = table.Column<string>(type: "text", nullable: true),
                    reminded_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_task", x => x.id);
                    table.ForeignKey(
                        name: "fk_sales_task_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_due_unreminded",
                schema: "nurture",
                table: "sales_task",
                column: "due_at",
                filter: "status = 'Open' AND reminded_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_enrollment_id_step_id",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "enrollment_id", "step_id" },
                unique: true,
                filter: "enrollment_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_lead_id_id",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "lead_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sales_task_owner_status_due_at",
                schema: "nurture",
                table: "sales_task",
                columns: new[] { "owner", "status", "due_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sales_task",
                schema: "nurture");
        }
    }
}
