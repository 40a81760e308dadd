using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <summary>
    /// The lead list sorted by company (issue 20): the Company column shows a linked company's name, else the lead's own
    /// text, so <c>KeysetPage</c> reads each kind off its own index up to a page: companies by lowered name (then their
    /// leads by company_id), unlinked leads by their lowered text, and those with neither by id (no EF model: raw SQL only).
    /// </summary>
    [DbContext(typeof(NurtureDbContext))]
    [Migration("20261203171500_LeadCompanySortIndexes")]
    public partial class LeadCompanySortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
            CREATE INDEX ix_company_name_sort ON nurture.company (lower(name), id);
            CREATE INDEX ix_lead_company_sort ON nurture.lead (lower(company), id) WHERE company_id IS NULL AND COALESCE(company, '') <> '';
            CREATE INDEX ix_lead_no_company ON nurture.lead (id) WHERE company_id IS NULL AND COALESCE(company, '') = '';
            """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
            DROP INDEX nurture.ix_lead_no_company;
            DROP INDEX nurture.ix_lead_company_sort;
            DROP INDEX nurture.ix_company_name_sort;
            """);
    }
}
