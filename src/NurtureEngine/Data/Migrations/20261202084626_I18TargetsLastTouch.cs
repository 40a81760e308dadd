using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class I18TargetsLastTouch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "last_touch_source",
                schema: "nurture",
                table: "lead",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sales_target",
                schema: "nurture",
                columns: table => new
                {
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    monthly_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sales_target", x => x.owner);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sales_target",
                schema: "nurture");

            migrationBuilder.DropColumn(
                name: "last_touch_source",
                schema: "nurture",
                table: "lead");
        }
    }
}
