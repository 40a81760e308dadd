-- 1,000,000 generated leads for the lead-list benchmark (bench/lead-list.sh).
-- Spread: 6 stages, 20 owners, 50 tags, scores 0-99, every 10th lead a company named "Acme ...".
INSERT INTO nurture.lead (id, email, email_normalized, first_name, last_name, company, owner, tags, attributes,
                          pipeline_id, stage_id, stage_entered_at, score, status, soft_bounces, created_at, updated_at)
SELECT gen_random_uuid(), 'lead' || i || '@bench.test', 'lead' || i || '@bench.test', 'First' || (i % 5000), 'Last' || (i % 7000),
       CASE WHEN i % 10 = 0 THEN 'Acme ' || (i % 997) ELSE 'Company ' || (i % 20000) END,
       'rep' || (i % 20) || '@nurture.test', ARRAY['t' || (i % 50)], '{}'::jsonb,
       p.id, p.stages[1 + i % array_length(p.stages, 1)], now(), i % 100, 'Subscribed', 0, now(), now()
FROM generate_series(1, 1000000) AS i,
     (SELECT pl.id, ARRAY(SELECT s.id FROM nurture.stage s WHERE s.pipeline_id = pl.id ORDER BY s.position) AS stages
      FROM nurture.pipeline pl WHERE pl.is_default) AS p;
ANALYZE nurture.lead;
