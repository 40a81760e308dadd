using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <summary>
    /// The lead list sorted by name (issue 20): an index on the very expression <c>KeysetPage</c> orders and pages by,
    /// so "Name A–Z" reads 51 index entries at any depth instead of sorting every lead (no EF model: raw SQL only).
    /// </summary>
    [DbContext(typeof(NurtureDbContext))]
    [Migration("20261203130000_LeadNameSortIndex")]
    public partial class LeadNameSortIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
            CREATE INDEX ix_lead_name_sort ON nurture.lead (lower(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')), id);
            """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP INDEX nurture.ix_lead_name_sort;");
    }
}
