using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <summary>
    /// The board's column totals (count and deal value per lead pipeline, stage and owner) kept by the
    /// database: every statement that inserts, updates or deletes leads appends its net change as one row per
    /// (pipeline, stage, owner) it touched, from the statement's transition tables (so a COPY of a million
    /// leads adds a handful of rows, and concurrent writers never wait on a shared counter row). Readers sum
    /// the rows; <c>BoardService</c> folds them together when they pile up. No EF model: raw SQL only.
    /// Also a covering index for the sales report's "which leads reached mql" set (an index-only scan).
    /// </summary>
    [DbContext(typeof(NurtureDbContext))]
    [Migration("20261202141000_S8BoardTotals")]
    public partial class S8BoardTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE nurture.lead_stage_total (
                    pipeline_id bigint NOT NULL,
                    stage_id bigint NOT NULL,
                    owner text,
                    count bigint NOT NULL,
                    amount numeric NOT NULL);
                CREATE INDEX ix_lead_stage_total ON nurture.lead_stage_total (pipeline_id, owner, stage_id) INCLUDE (count, amount);
                INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                    SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(deal_value), 0) FROM nurture.lead GROUP BY 1, 2, 3;

                CREATE FUNCTION nurture.lead_stage_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(deal_value), 0) FROM new_rows GROUP BY 1, 2, 3;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, -count(*), -coalesce(sum(deal_value), 0) FROM old_rows GROUP BY 1, 2, 3;
                    ELSE
                        INSERT INTO nurture.lead_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, sum(n), sum(a) FROM (
                            SELECT pipeline_id, stage_id, owner, 1 AS n, coalesce(deal_value, 0) AS a FROM new_rows
                            UNION ALL
                            SELECT pipeline_id, stage_id, owner, -1, -coalesce(deal_value, 0) FROM old_rows) d
                        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(a) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER lead_stage_total_insert AFTER INSERT ON nurture.lead REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();
                CREATE TRIGGER lead_stage_total_update AFTER UPDATE ON nurture.lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();
                CREATE TRIGGER lead_stage_total_delete AFTER DELETE ON nurture.lead REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_stage_total_delta();

                CREATE INDEX ix_stage_change_reached ON nurture.stage_change (pipeline_id, to_stage_id, at) INCLUDE (lead_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS lead_stage_total_insert ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_stage_total_update ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_stage_total_delete ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_stage_total_delta();
                DROP TABLE IF EXISTS nurture.lead_stage_total;
                DROP INDEX IF EXISTS nurture.ix_stage_change_reached;
                """);
        }
    }
}
