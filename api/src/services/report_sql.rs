//! The aggregate statements of the territory report. Each groups either by territory
//! (every territory of the subtree rolled up over its own subtree, through a join on
//! materialized paths) or by rep, so the number of statements never depends on the size
//! of the tree or of the data.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Value};
use uuid::Uuid;

use super::sql::{days_between, hours_between, statement};
use crate::error::AppResult;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Each territory of the subtree, over its own subtree.
    Territory,
    /// Each owner (opportunities, leads) or sender (handoffs), within the subtree.
    Rep,
}

/// The key, FROM and WHERE of a grouped aggregate over `source` (aliased `x`, whose
/// credited territory is `x.territory_id` and whose rep is `x.owner_id`). The WHERE
/// takes one parameter: the root's path followed by `%`.
fn grouping(by: By, source: &str) -> (String, String) {
    match by {
        By::Territory => (
            "a.id".into(),
            format!(
                "territories a JOIN territories t ON t.path LIKE a.path || '%'
                 JOIN {source} x ON x.territory_id = t.id
                 WHERE a.path LIKE ?"
            ),
        ),
        By::Rep => (
            "x.owner_id".into(),
            format!(
                "{source} x JOIN territories t ON t.id = x.territory_id
                 WHERE t.path LIKE ?"
            ),
        ),
    }
}

/// Opportunity figures of one group, in cents and counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OppAgg {
    pub bookings: i64,
    pub won_count: i64,
    pub won_amount: i64,
    pub lost_count: i64,
    pub cycle_days: i64,
    pub open_amount: i64,
    /// Σ amount_cents × probability (percent): cents × 100.
    pub weighted_x100: i64,
    /// Open pipeline by forecast category: PIPELINE, BEST_CASE, COMMIT, CLOSED, OMITTED.
    pub by_category: [i64; 5],
}

pub const CATEGORIES: [&str; 5] = ["PIPELINE", "BEST_CASE", "COMMIT", "CLOSED", "OMITTED"];

pub async fn opportunities<C: ConnectionTrait>(
    db: &C,
    by: By,
    root_path: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> AppResult<HashMap<Option<Uuid>, OppAgg>> {
    let (key, from) = grouping(by, "opportunities");
    let days = days_between(db.get_database_backend(), "s.created_at", "s.close_date");
    let cats: String = CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                ", CAST(COALESCE(SUM(CASE WHEN s.open_in = 1 AND s.forecast_category = '{c}'
                   THEN s.amount_cents ELSE 0 END), 0) AS BIGINT) AS cat{i}"
            )
        })
        .collect();
    let sql = format!(
        "SELECT s.k AS k,
           CAST(COALESCE(SUM(CASE WHEN s.won_in = 1
             AND s.opportunity_type IN ('NEW_BUSINESS', 'EXPANSION')
             THEN s.amount_cents ELSE 0 END), 0) AS BIGINT) AS bookings,
           CAST(COALESCE(SUM(s.won_in), 0) AS BIGINT) AS won_count,
           CAST(COALESCE(SUM(CASE WHEN s.won_in = 1 THEN s.amount_cents ELSE 0 END), 0)
             AS BIGINT) AS won_amount,
           CAST(COALESCE(SUM(s.lost_in), 0) AS BIGINT) AS lost_count,
           CAST(COALESCE(SUM(CASE WHEN s.won_in = 1 THEN {days} ELSE 0 END), 0)
             AS BIGINT) AS cycle_days,
           CAST(COALESCE(SUM(CASE WHEN s.open_in = 1 THEN s.amount_cents ELSE 0 END), 0)
             AS BIGINT) AS open_amount,
           CAST(COALESCE(SUM(CASE WHEN s.open_in = 1
             THEN s.amount_cents * s.probability ELSE 0 END), 0) AS BIGINT) AS weighted
           {cats}
         FROM (SELECT {key} AS k, x.stage, x.opportunity_type, x.amount_cents,
                      x.probability, x.forecast_category, x.created_at, x.close_date,
                 CASE WHEN x.stage = 'CLOSED_WON' AND x.close_date >= ? AND x.close_date < ?
                      THEN 1 ELSE 0 END AS won_in,
                 CASE WHEN x.stage = 'CLOSED_LOST' AND x.close_date >= ? AND x.close_date < ?
                      THEN 1 ELSE 0 END AS lost_in,
                 CASE WHEN x.stage NOT IN ('CLOSED_WON', 'CLOSED_LOST')
                       AND x.close_date >= ? AND x.close_date < ?
                      THEN 1 ELSE 0 END AS open_in
               FROM {from}) s
         GROUP BY s.k"
    );
    let mut values: Vec<Value> = Vec::new();
    for _ in 0..3 {
        values.push(start.into());
        values.push(end.into());
    }
    values.push(format!("{root_path}%").into());
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    let mut out = HashMap::new();
    for r in rows {
        let g = |c: &str| r.try_get::<i64>("", c);
        let mut by_category = [0; 5];
        for (i, slot) in by_category.iter_mut().enumerate() {
            *slot = g(&format!("cat{i}"))?;
        }
        out.insert(
            r.try_get::<Option<Uuid>>("", "k")?,
            OppAgg {
                bookings: g("bookings")?,
                won_count: g("won_count")?,
                won_amount: g("won_amount")?,
                lost_count: g("lost_count")?,
                cycle_days: g("cycle_days")?,
                open_amount: g("open_amount")?,
                weighted_x100: g("weighted")?,
                by_category,
            },
        );
    }
    Ok(out)
}

/// Leads created in the period, and how many of those are converted.
pub async fn leads<C: ConnectionTrait>(
    db: &C,
    by: By,
    root_path: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<HashMap<Option<Uuid>, (i64, i64)>> {
    let (key, from) = grouping(by, "leads");
    let sql = format!(
        "SELECT {key} AS k, CAST(COUNT(*) AS BIGINT) AS created,
                CAST(COALESCE(SUM(CASE WHEN x.status = 'CONVERTED' THEN 1 ELSE 0 END), 0)
                  AS BIGINT) AS converted
           FROM {from} AND x.created_at >= ? AND x.created_at < ?
          GROUP BY {key}"
    );
    let values: Vec<Value> = vec![format!("{root_path}%").into(), start.into(), end.into()];
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(
            r.try_get::<Option<Uuid>>("", "k")?,
            (
                r.try_get::<i64>("", "created")?,
                r.try_get::<i64>("", "converted")?,
            ),
        );
    }
    Ok(out)
}

/// `SDR_TO_AE` handoffs decided (accepted or rejected) in the period: accepted, decided,
/// and the median hours from request to acceptance. The median is taken with window
/// functions, which both SQLite and PostgreSQL have (SQLite has no median aggregate).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct HandoffAgg {
    pub accepted: i64,
    pub decided: i64,
    pub median_hours: Option<f64>,
}

pub async fn handoffs<C: ConnectionTrait>(
    db: &C,
    by: By,
    root_path: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> AppResult<HashMap<Option<Uuid>, HandoffAgg>> {
    let hours = hours_between(db.get_database_backend(), "h.created_at", "e.at");
    let source = format!(
        "(SELECT h.from_user_id AS owner_id, l.territory_id AS territory_id,
                 e.to_status AS st, {hours} AS hrs
            FROM handoffs h
            JOIN handoff_events e ON e.handoff_id = h.id
            JOIN leads l ON l.id = h.lead_id
           WHERE h.kind = 'SDR_TO_AE' AND e.to_status IN ('ACCEPTED', 'REJECTED')
             AND e.at >= ? AND e.at < ?)"
    );
    let (key, from) = grouping(by, &source);
    let sql = format!(
        "WITH d AS (SELECT {key} AS k, x.st AS st, x.hrs AS hrs FROM {from}),
         r AS (SELECT k, hrs, ROW_NUMBER() OVER (PARTITION BY k ORDER BY hrs) AS rn,
                      COUNT(*) OVER (PARTITION BY k) AS n
                 FROM d WHERE st = 'ACCEPTED')
         SELECT d.k AS k,
                CAST(COALESCE(SUM(CASE WHEN d.st = 'ACCEPTED' THEN 1 ELSE 0 END), 0)
                  AS BIGINT) AS accepted,
                CAST(COUNT(*) AS BIGINT) AS decided,
                (SELECT AVG(r.hrs) FROM r
                  WHERE r.k = d.k AND r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2)) AS median
           FROM d GROUP BY d.k"
    );
    let values: Vec<Value> = vec![start.into(), end.into(), format!("{root_path}%").into()];
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(
            r.try_get::<Option<Uuid>>("", "k")?,
            HandoffAgg {
                accepted: r.try_get("", "accepted")?,
                decided: r.try_get("", "decided")?,
                median_hours: r.try_get::<Option<f64>>("", "median")?,
            },
        );
    }
    Ok(out)
}
