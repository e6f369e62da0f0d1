//! Quota figures computed from the data at query time: actual, attainment, pacing and
//! reconciliation. A whole page of quotas costs two aggregate statements (actuals,
//! reconciliation), whatever its size.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::quotas;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::sql::{placeholders, statement};
use crate::{domain::Period, error::AppResult};

/// What the data says about a page of quotas, by quota id.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    /// In the metric's units (cents or a count).
    pub actual: HashMap<Uuid, i64>,
    /// Sum of the children's targets (child territories' or direct reports' quotas of
    /// the same metric and period) and how many there are.
    pub children: HashMap<Uuid, (i64, i64)>,
}

/// Actuals (and, with `reconcile`, the children's targets) of `rows`. A user's actual
/// covers their team (themselves and everyone reporting to them, transitively); a
/// territory's its whole subtree, by the territory each opportunity credits.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    fiscal_month: u32,
    rows: &[quotas::Model],
    with_actuals: bool,
    reconcile: bool,
) -> AppResult<Figures> {
    let mut out = Figures::default();
    if rows.is_empty() {
        return Ok(out);
    }
    if with_actuals {
        out.actual = actuals(db, fiscal_month, rows).await?;
    }
    if reconcile {
        out.children = children_targets(db, rows).await?;
    }
    Ok(out)
}

async fn actuals<C: ConnectionTrait>(
    db: &C,
    fiscal_month: u32,
    rows: &[quotas::Model],
) -> AppResult<HashMap<Uuid, i64>> {
    let mut periods: Vec<Period> = rows
        .iter()
        .filter_map(|q| Period::parse(&q.period, "period").ok())
        .collect();
    periods.sort();
    periods.dedup();
    if periods.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|q| q.id).collect();
    let ids_sql = placeholders(ids.len());
    // Placeholders in text order: the team CTE's quota ids, the periods, the final ids.
    let mut values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    let per = periods
        .iter()
        .map(|p| {
            values.push(p.to_string().into());
            values.push(p.start(fiscal_month).into());
            values.push(p.end(fiscal_month).into());
            values.push(p.start_at(fiscal_month).into());
            values.push(p.end_at(fiscal_month).into());
            "SELECT ? AS period, ? AS ds, ? AS de, ? AS ts, ? AS te"
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    values.extend(ids.iter().map(|id| Value::from(*id)));
    let sql = format!(
        "WITH RECURSIVE team(root, id) AS (
           SELECT u.id, u.id FROM users u
            WHERE u.id IN (SELECT q0.user_id FROM quotas q0 WHERE q0.id IN ({ids_sql}))
           UNION ALL
           SELECT team.root, u.id FROM users u JOIN team ON u.manager_id = team.id
         ),
         per AS ({per})
         SELECT q.id AS id, CAST(CASE q.metric
           WHEN 'QUALIFIED_HANDOFFS' THEN (
             SELECT COUNT(*) FROM handoffs h
               JOIN handoff_events e ON e.handoff_id = h.id AND e.to_status = 'ACCEPTED'
               LEFT JOIN leads l ON l.id = h.lead_id
              WHERE h.kind = 'SDR_TO_AE' AND e.at >= p.ts AND e.at < p.te
                AND ((q.user_id IS NOT NULL
                      AND h.from_user_id IN (SELECT team.id FROM team WHERE team.root = q.user_id))
                  OR (q.territory_id IS NOT NULL AND l.territory_id IN
                      (SELECT t.id FROM territories t WHERE t.path LIKE qt.path || '%'))))
           ELSE (
             SELECT COALESCE(SUM(o.amount_cents), 0) FROM opportunities o
              WHERE ((q.user_id IS NOT NULL
                      AND (CASE WHEN q.metric = 'PIPELINE_SOURCED' THEN o.sourced_by_id
                                ELSE o.owner_id END)
                          IN (SELECT team.id FROM team WHERE team.root = q.user_id))
                  OR (q.territory_id IS NOT NULL AND o.territory_id IN
                      (SELECT t.id FROM territories t WHERE t.path LIKE qt.path || '%')))
                AND ((q.metric = 'PIPELINE_SOURCED' AND o.sourced_by_id IS NOT NULL
                      AND o.created_at >= p.ts AND o.created_at < p.te)
                  OR (o.stage = 'CLOSED_WON' AND o.close_date >= p.ds AND o.close_date < p.de
                      AND ((q.metric = 'BOOKINGS'
                            AND o.opportunity_type IN ('NEW_BUSINESS', 'EXPANSION'))
                        OR (q.metric = 'EXPANSION' AND o.opportunity_type = 'EXPANSION')
                        OR (q.metric = 'RENEWALS' AND o.opportunity_type = 'RENEWAL')))))
         END AS BIGINT) AS actual
         FROM quotas q
         JOIN per p ON p.period = q.period
         LEFT JOIN territories qt ON qt.id = q.territory_id
         WHERE q.id IN ({ids_sql})"
    );
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(
            r.try_get::<Uuid>("", "id")?,
            r.try_get::<i64>("", "actual")?,
        );
    }
    Ok(out)
}

async fn children_targets<C: ConnectionTrait>(
    db: &C,
    rows: &[quotas::Model],
) -> AppResult<HashMap<Uuid, (i64, i64)>> {
    let ids: Vec<Value> = rows.iter().map(|q| Value::from(q.id)).collect();
    let sql = format!(
        "SELECT q.id AS id, CAST(COALESCE(SUM(c.target_cents), 0) AS BIGINT) AS total,
                CAST(COUNT(c.id) AS BIGINT) AS n
           FROM quotas q
           JOIN quotas c ON c.metric = q.metric AND c.period = q.period
            AND ((q.territory_id IS NOT NULL AND c.territory_id IN
                   (SELECT t.id FROM territories t WHERE t.parent_id = q.territory_id))
              OR (q.user_id IS NOT NULL AND c.user_id IN
                   (SELECT u.id FROM users u WHERE u.manager_id = q.user_id)))
          WHERE q.id IN ({})
          GROUP BY q.id",
        placeholders(ids.len())
    );
    let found = db.query_all_raw(statement(db, &sql, ids)).await?;
    let mut out = HashMap::new();
    for r in found {
        out.insert(
            r.try_get::<Uuid>("", "id")?,
            (r.try_get::<i64>("", "total")?, r.try_get::<i64>("", "n")?),
        );
    }
    Ok(out)
}

/// `num ÷ den` as a decimal fraction rounded to 4 places; `None` when `den` is 0.
pub fn ratio(num: i64, den: i64) -> Option<f64> {
    if den == 0 {
        return None;
    }
    let r = (Decimal::from(num) / Decimal::from(den)).round_dp(4);
    r.to_string().parse().ok()
}

/// Actual against the share of the target due by `today`: `None` before the period
/// starts or when the target is 0; equal to attainment once the period is over.
pub fn pacing(
    actual: i64,
    target: i64,
    period: &Period,
    fiscal_month: u32,
    today: NaiveDate,
) -> Option<f64> {
    let (elapsed, total) = period.elapsed_share(fiscal_month, today);
    if elapsed == 0 || target == 0 {
        return None;
    }
    // actual ÷ (target × elapsed ÷ total), kept exact until the final rounding.
    let r = (Decimal::from(actual) * Decimal::from(total))
        / (Decimal::from(target) * Decimal::from(elapsed));
    r.round_dp(4).to_string().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_fractions_and_null_on_zero() {
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio(2, 3), Some(0.6667));
        assert_eq!(ratio(5, 0), None);
        let q1 = Period::parse("FY2026-Q1", "p").unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(pacing(50, 100, &q1, 1, d(2, 14)), Some(1.0));
        assert_eq!(pacing(50, 100, &q1, 1, d(6, 1)), Some(0.5));
        assert_eq!(pacing(50, 0, &q1, 1, d(2, 14)), None);
    }
}
