//! Raw aggregate SQL shared by quotas and reports: one statement text with `?`
//! placeholders for both backends, and the few expressions whose spelling differs
//! between SQLite and PostgreSQL (date and time arithmetic).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// A statement for `db`'s backend: `?` placeholders become `$1, $2, …` on PostgreSQL.
/// The SQL texts passed here hold no `?` inside literals.
pub fn statement<C: ConnectionTrait>(db: &C, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Whole days from the UTC date of timestamp `from_ts` to date `to_date`.
pub fn days_between(backend: DbBackend, from_ts: &str, to_date: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            format!("({to_date} - CAST(({from_ts} AT TIME ZONE 'UTC') AS DATE))")
        }
        _ => format!("CAST(julianday({to_date}) - julianday(date({from_ts})) AS INTEGER)"),
    }
}

/// Hours (fractional) from timestamp `from_ts` to timestamp `to_ts`.
pub fn hours_between(backend: DbBackend, from_ts: &str, to_ts: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            format!("CAST(EXTRACT(EPOCH FROM ({to_ts} - {from_ts})) / 3600.0 AS DOUBLE PRECISION)")
        }
        _ => format!("((julianday({to_ts}) - julianday({from_ts})) * 24.0)"),
    }
}

/// `IN (…)` with one placeholder per value, and the values.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}
