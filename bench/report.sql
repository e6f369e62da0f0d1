-- The territory report's aggregate statements, as the server runs them on PostgreSQL
-- (mirrors api/src/services/report_sql.rs and reports.rs), for timing with psql:
--   psql "$DATABASE_URL" -v root_path=/…/ -v ds=2026-01-01 -v de=2026-04-01 \
--        -v ts='2026-01-01T00:00:00Z' -v te='2026-04-01T00:00:00Z' -f bench/report.sql
\timing on
\set pattern :root_path'%'
SELECT id, name, parent_id, depth FROM territories WHERE path LIKE :'pattern' ORDER BY name;
-- opportunities by territory (rolled up) and by rep
SELECT s.k, SUM(CASE WHEN s.won_in = 1 AND s.opportunity_type IN ('NEW_BUSINESS','EXPANSION') THEN s.amount_cents ELSE 0 END),
       SUM(s.won_in), SUM(CASE WHEN s.won_in = 1 THEN s.amount_cents ELSE 0 END), SUM(s.lost_in),
       SUM(CASE WHEN s.won_in = 1 THEN (s.close_date - CAST((s.created_at AT TIME ZONE 'UTC') AS DATE)) ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 THEN s.amount_cents ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 THEN s.amount_cents * s.probability ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = 'PIPELINE' THEN s.amount_cents ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = 'BEST_CASE' THEN s.amount_cents ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = 'COMMIT' THEN s.amount_cents ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = 'CLOSED' THEN s.amount_cents ELSE 0 END),
       SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = 'OMITTED' THEN s.amount_cents ELSE 0 END)
  FROM (SELECT a.id AS k, x.*,
          CASE WHEN x.stage = 'CLOSED_WON' AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS won_in,
          CASE WHEN x.stage = 'CLOSED_LOST' AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS lost_in,
          CASE WHEN x.stage NOT IN ('CLOSED_WON','CLOSED_LOST') AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS open_in
          FROM territories a JOIN territories t ON t.path LIKE a.path || '%'
          JOIN opportunities x ON x.territory_id = t.id WHERE a.path LIKE :'pattern') s
 GROUP BY s.k;
SELECT s.k, SUM(CASE WHEN s.won_in = 1 THEN s.amount_cents ELSE 0 END), SUM(s.won_in), SUM(s.lost_in),
       SUM(CASE WHEN s.open_in = 1 THEN s.amount_cents * s.probability ELSE 0 END)
  FROM (SELECT x.owner_id AS k, x.*,
          CASE WHEN x.stage = 'CLOSED_WON' AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS won_in,
          CASE WHEN x.stage = 'CLOSED_LOST' AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS lost_in,
          CASE WHEN x.stage NOT IN ('CLOSED_WON','CLOSED_LOST') AND x.close_date >= :'ds' AND x.close_date < :'de' THEN 1 ELSE 0 END AS open_in
          FROM opportunities x JOIN territories t ON t.id = x.territory_id WHERE t.path LIKE :'pattern') s
 GROUP BY s.k;
-- leads by territory and by rep
SELECT a.id, COUNT(*), SUM(CASE WHEN x.status = 'CONVERTED' THEN 1 ELSE 0 END)
  FROM territories a JOIN territories t ON t.path LIKE a.path || '%' JOIN leads x ON x.territory_id = t.id
 WHERE a.path LIKE :'pattern' AND x.created_at >= :'ts' AND x.created_at < :'te' GROUP BY a.id;
SELECT x.owner_id, COUNT(*), SUM(CASE WHEN x.status = 'CONVERTED' THEN 1 ELSE 0 END)
  FROM leads x JOIN territories t ON t.id = x.territory_id
 WHERE t.path LIKE :'pattern' AND x.created_at >= :'ts' AND x.created_at < :'te' GROUP BY x.owner_id;
-- handoffs by territory (with the median) and by rep
WITH d AS (SELECT a.id AS k, x.st, x.hrs FROM territories a JOIN territories t ON t.path LIKE a.path || '%'
             JOIN (SELECT h.from_user_id AS owner_id, l.territory_id, e.to_status AS st,
                          CAST(EXTRACT(EPOCH FROM (e.at - h.created_at)) / 3600.0 AS DOUBLE PRECISION) AS hrs
                     FROM handoffs h JOIN handoff_events e ON e.handoff_id = h.id JOIN leads l ON l.id = h.lead_id
                    WHERE h.kind = 'SDR_TO_AE' AND e.to_status IN ('ACCEPTED','REJECTED')
                      AND e.at >= :'ts' AND e.at < :'te') x ON x.territory_id = t.id
            WHERE a.path LIKE :'pattern'),
     r AS (SELECT k, hrs, ROW_NUMBER() OVER (PARTITION BY k ORDER BY hrs) rn, COUNT(*) OVER (PARTITION BY k) n FROM d WHERE st = 'ACCEPTED')
SELECT d.k, SUM(CASE WHEN d.st = 'ACCEPTED' THEN 1 ELSE 0 END), COUNT(*),
       (SELECT AVG(r.hrs) FROM r WHERE r.k = d.k AND r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2))
  FROM d GROUP BY d.k;
WITH d AS (SELECT x.owner_id AS k, x.st, x.hrs
             FROM (SELECT h.from_user_id AS owner_id, l.territory_id, e.to_status AS st,
                          CAST(EXTRACT(EPOCH FROM (e.at - h.created_at)) / 3600.0 AS DOUBLE PRECISION) AS hrs
                     FROM handoffs h JOIN handoff_events e ON e.handoff_id = h.id JOIN leads l ON l.id = h.lead_id
                    WHERE h.kind = 'SDR_TO_AE' AND e.to_status IN ('ACCEPTED','REJECTED')
                      AND e.at >= :'ts' AND e.at < :'te') x JOIN territories t ON t.id = x.territory_id
            WHERE t.path LIKE :'pattern'),
     r AS (SELECT k, hrs, ROW_NUMBER() OVER (PARTITION BY k ORDER BY hrs) rn, COUNT(*) OVER (PARTITION BY k) n FROM d WHERE st = 'ACCEPTED')
SELECT d.k, SUM(CASE WHEN d.st = 'ACCEPTED' THEN 1 ELSE 0 END), COUNT(*),
       (SELECT AVG(r.hrs) FROM r WHERE r.k = d.k AND r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2))
  FROM d GROUP BY d.k;
-- quotas of the subtree and of the people in it
SELECT * FROM quotas WHERE period = :'period' AND (
  territory_id IN (SELECT id FROM territories WHERE path LIKE :'pattern')
  OR user_id IN (SELECT manager_id FROM territories WHERE path LIKE :'pattern' AND manager_id IS NOT NULL)
  OR user_id IN (SELECT user_id FROM territory_members WHERE territory_id IN (SELECT id FROM territories WHERE path LIKE :'pattern'))
  OR user_id IN (SELECT owner_id FROM opportunities WHERE territory_id IN (SELECT id FROM territories WHERE path LIKE :'pattern')));
