using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <inheritdoc />
    public partial class I18CompaniesDeals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "object",
                schema: "nurture",
                table: "pipeline",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "Lead");

            migrationBuilder.AddColumn<Guid>(
                name: "company_id",
                schema: "nurture",
                table: "lead",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "company",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    attributes = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_company", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "deal",
                schema: "nurture",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    company_id = table.Column<Guid>(type: "uuid", nullable: true),
                    pipeline_id = table.Column<long>(type: "bigint", nullable: false),
                    stage_id = table.Column<long>(type: "bigint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    close_date = table.Column<DateOnly>(type: "date", nullable: true),
                    owner = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    lost_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    stage_entered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deal", x => x.id);
                    table.ForeignKey(
                        name: "fk_deal_company_company_id",
                        column: x => x.company_id,
                        principalSchema: "nurture",
                        principalTable: "company",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_deal_lead_lead_id",
                        column: x => x.lead_id,
                        principalSchema: "nurture",
                        principalTable: "lead",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_deal_pipeline_pipeline_id",
                        column: x => x.pipeline_id,
                        principalSchema: "nurture",
                        principalTable: "pipeline",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_deal_stage_stage_id",
                        column: x => x.stage_id,
                        principalSchema: "nurture",
                        principalTable: "stage",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_lead_company_id",
                schema: "nurture",
                table: "lead",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_company_domain",
                schema: "nurture",
                table: "company",
                column: "domain",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deal_company_id",
                schema: "nurture",
                table: "deal",
                column: "company_id");

            migrationBuilder.CreateIndex(
                name: "ix_deal_lead_id",
                schema: "nurture",
                table: "deal",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_deal_owner_stage_id_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "owner", "stage_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_pipeline_id_stage_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "pipeline_id", "stage_id" })
                .Annotation("Npgsql:IndexInclude", new[] { "amount", "close_date", "owner" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_stage_id_id",
                schema: "nurture",
                table: "deal",
                columns: new[] { "stage_id", "id" });

            migrationBuilder.AddForeignKey(
                name: "fk_lead_companies_company_id",
                schema: "nurture",
                table: "lead",
                column: "company_id",
                principalSchema: "nurture",
                principalTable: "company",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
                    // Every lead made from now on (API, forms, imports, events) is linked to the company at its
            // email's domain by the database itself; free-mail domains never have a company (refused on upsert).
            migrationBuilder.Sql("""
                CREATE INDEX ix_lead_email_domain ON nurture.lead (split_part(email_normalized, '@', 2));
                CREATE FUNCTION nurture.lead_link_company() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.company_id IS NULL THEN
                        SELECT c.id INTO NEW.company_id FROM nurture.company c WHERE c.domain = split_part(NEW.email_normalized, '@', 2);
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER lead_link_company BEFORE INSERT ON nurture.lead
                    FOR EACH ROW EXECUTE FUNCTION nurture.lead_link_company();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS lead_link_company ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_link_company();
                DROP INDEX IF EXISTS nurture.ix_lead_email_domain;
                """);

            migrationBuilder.DropForeignKey(
                name: "fk_lead_companies_company_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.DropTable(
                name: "deal",
                schema: "nurture");

            migrationBuilder.DropTable(
                name: "company",
                schema: "nurture");

            migrationBuilder.DropIndex(
                name: "ix_lead_company_id",
                schema: "nurture",
                table: "lead");

            migrationBuilder.DropColumn(
                name: "object",
                schema: "nurture",
                table: "pipeline");

            migrationBuilder.DropColumn(
                name: "company_id",
                schema: "nurture",
                table: "lead");
        }
    }
}
