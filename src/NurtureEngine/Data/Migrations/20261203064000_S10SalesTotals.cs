using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NurtureEngine.Data.Migrations
{
    /// <summary>
    /// What the sales report and the deal board read, kept by the database as the rows change (no EF model: raw SQL only).
    /// <list type="bullet">
    /// <item><c>lead.reached_mql_at</c>: when the lead first entered its lead pipeline's <c>mql</c> stage or a later one.
    /// A BEFORE row trigger sets it in the very statement that writes the lead's new stage, so every path that moves a
    /// stage (StageMover, the set-based lead creator, an import, a COPY) sets it, and concurrent moves of one lead are
    /// serialised by the row lock the UPDATE already takes. Never cleared: a lead moved back still reached mql.</item>
    /// <item><c>lead_source_total</c>: leads and how many of them reached mql per UTC day made, owner, source and
    /// last-touch source, appended per statement from the transition tables like <c>lead_stage_total</c>.</item>
    /// <item><c>deal_stage_total</c>: the deal board's column totals per deal pipeline, stage and owner, the same way.</item>
    /// </list>
    /// </summary>
    [DbContext(typeof(NurtureDbContext))]
    [Migration("20261203064000_S10SalesTotals")]
    public partial class S10SalesTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE nurture.lead ADD COLUMN reached_mql_at timestamptz;
                UPDATE nurture.lead l SET reached_mql_at = r.at FROM (
                    SELECT c.lead_id, min(c.at) AS at FROM nurture.stage_change c
                    JOIN nurture.stage s ON s.id = c.to_stage_id
                    JOIN nurture.stage m ON m.pipeline_id = s.pipeline_id AND m.key = 'mql'
                    JOIN nurture.pipeline p ON p.id = m.pipeline_id AND p.object = 'Lead'
                    WHERE s.position >= m.position GROUP BY 1) r
                WHERE r.lead_id = l.id;

                CREATE FUNCTION nurture.lead_reached_mql() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM nurture.stage s
                               JOIN nurture.stage m ON m.pipeline_id = s.pipeline_id AND m.key = 'mql'
                               JOIN nurture.pipeline p ON p.id = m.pipeline_id AND p.object = 'Lead'
                               WHERE s.id = NEW.stage_id AND s.position >= m.position) THEN
                        NEW.reached_mql_at := coalesce(NEW.stage_entered_at, now());
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER lead_reached_mql BEFORE INSERT OR UPDATE OF stage_id ON nurture.lead
                    FOR EACH ROW WHEN (NEW.reached_mql_at IS NULL) EXECUTE FUNCTION nurture.lead_reached_mql();

                -- The report's partial first and last days are read from the leads themselves (index-only).
                CREATE INDEX ix_lead_created_at_source ON nurture.lead (created_at) INCLUDE (owner, source, last_touch_source, reached_mql_at);

                CREATE TABLE nurture.lead_source_total (
                    day date NOT NULL,
                    owner text,
                    source text,
                    last_touch_source text,
                    leads bigint NOT NULL,
                    mqls bigint NOT NULL);
                CREATE INDEX ix_lead_source_total ON nurture.lead_source_total (day) INCLUDE (owner, source, last_touch_source, leads, mqls);
                INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                    SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, count(*), count(reached_mql_at)
                    FROM nurture.lead GROUP BY 1, 2, 3, 4;

                CREATE FUNCTION nurture.lead_source_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, count(*), count(reached_mql_at)
                        FROM new_rows GROUP BY 1, 2, 3, 4;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, -count(*), -count(reached_mql_at)
                        FROM old_rows GROUP BY 1, 2, 3, 4;
                    ELSE
                        INSERT INTO nurture.lead_source_total (day, owner, source, last_touch_source, leads, mqls)
                        SELECT day, owner, source, last_touch_source, sum(n), sum(m) FROM (
                            SELECT (created_at AT TIME ZONE 'UTC')::date AS day, owner, source, last_touch_source, 1 AS n,
                                   (reached_mql_at IS NOT NULL)::int AS m FROM new_rows
                            UNION ALL
                            SELECT (created_at AT TIME ZONE 'UTC')::date, owner, source, last_touch_source, -1,
                                   -(reached_mql_at IS NOT NULL)::int FROM old_rows) d
                        GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 OR sum(m) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER lead_source_total_insert AFTER INSERT ON nurture.lead REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();
                CREATE TRIGGER lead_source_total_update AFTER UPDATE ON nurture.lead REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();
                CREATE TRIGGER lead_source_total_delete AFTER DELETE ON nurture.lead REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.lead_source_total_delta();

                CREATE TABLE nurture.deal_stage_total (
                    pipeline_id bigint NOT NULL,
                    stage_id bigint NOT NULL,
                    owner text,
                    count bigint NOT NULL,
                    amount numeric NOT NULL);
                CREATE INDEX ix_deal_stage_total ON nurture.deal_stage_total (pipeline_id, owner, stage_id) INCLUDE (count, amount);
                INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                    SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(amount), 0) FROM nurture.deal GROUP BY 1, 2, 3;

                CREATE FUNCTION nurture.deal_stage_total_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, count(*), coalesce(sum(amount), 0) FROM new_rows GROUP BY 1, 2, 3;
                    ELSIF TG_OP = 'DELETE' THEN
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, -count(*), -coalesce(sum(amount), 0) FROM old_rows GROUP BY 1, 2, 3;
                    ELSE
                        INSERT INTO nurture.deal_stage_total (pipeline_id, stage_id, owner, count, amount)
                        SELECT pipeline_id, stage_id, owner, sum(n), sum(a) FROM (
                            SELECT pipeline_id, stage_id, owner, 1 AS n, coalesce(amount, 0) AS a FROM new_rows
                            UNION ALL
                            SELECT pipeline_id, stage_id, owner, -1, -coalesce(amount, 0) FROM old_rows) d
                        GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR sum(a) <> 0;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER deal_stage_total_insert AFTER INSERT ON nurture.deal REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();
                CREATE TRIGGER deal_stage_total_update AFTER UPDATE ON nurture.deal REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();
                CREATE TRIGGER deal_stage_total_delete AFTER DELETE ON nurture.deal REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION nurture.deal_stage_total_delta();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS deal_stage_total_insert ON nurture.deal;
                DROP TRIGGER IF EXISTS deal_stage_total_update ON nurture.deal;
                DROP TRIGGER IF EXISTS deal_stage_total_delete ON nurture.deal;
                DROP FUNCTION IF EXISTS nurture.deal_stage_total_delta();
                DROP TABLE IF EXISTS nurture.deal_stage_total;
                DROP TRIGGER IF EXISTS lead_source_total_insert ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_source_total_update ON nurture.lead;
                DROP TRIGGER IF EXISTS lead_source_total_delete ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_source_total_delta();
                DROP TABLE IF EXISTS nurture.lead_source_total;
                DROP INDEX IF EXISTS nurture.ix_lead_created_at_source;
                DROP TRIGGER IF EXISTS lead_reached_mql ON nurture.lead;
                DROP FUNCTION IF EXISTS nurture.lead_reached_mql();
                ALTER TABLE nurture.lead DROP COLUMN IF EXISTS reached_mql_at;
                """);
        }
    }
}
