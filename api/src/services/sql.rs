//! Raw aggregate SQL shared by quotas and reports: one statement text with `?`
//! placeholders for both backends, and the few expressions whose spelling differs
//! between SQLite and PostgreSQL (date and time arithmetic); and `select`, how the
//! read path turns a built query into the statement it sends.

use std::fmt::{self, Write};

use sea_orm::{
    ConnectionTrait, DbBackend, Statement, Value,
    sea_query::{
        PostgresQueryBuilder, QueryBuilder, SelectStatement, SqlWriter, SqliteQueryBuilder,
    },
};

/// `stmt` for `backend`. When its only values are its LIMIT and OFFSET, they are
/// written into the text and nothing is bound; otherwise every value is bound.
///
/// PostgreSQL prepares each statement (sqlx keeps it per connection) and picks, per
/// execution, a plan for the bound values (custom) or one plan for any values (the
/// generic plan). A statement without values gets the generic plan at once and is
/// never planned again; a bound LIMIT alone kept the director's nested read planning
/// on every execution (the generic plan cannot know how many rows `LIMIT $n` keeps, so
/// its estimate never wins): `custom_plans` 12 of 12, planning 1.3–2.2 ms of a 3–5 ms
/// statement. A statement with other values (a scope's user and territory ids, a
/// cursor) stays planned for them: with only its limits written in, PostgreSQL moved
/// an AE's nested read to a generic plan blind to how many opportunities that AE owns
/// (a bitmap AND over all 1,831 of them for each account: 6.4 ms, against 2.5 ms
/// planned for the values). The limits are integers from the server's own page
/// arithmetic; nothing a client sends becomes SQL text.
pub fn select(backend: DbBackend, stmt: &SelectStatement) -> Statement {
    let mut out = LimitsWritten {
        sql: String::with_capacity(256),
        other_values: false,
    };
    match backend {
        DbBackend::Postgres => stmt.build_collect_any_into(&PostgresQueryBuilder, &mut out),
        _ => stmt.build_collect_any_into(&SqliteQueryBuilder, &mut out),
    }
    if out.other_values {
        backend.build(stmt)
    } else {
        Statement::from_string(backend, out.sql)
    }
}

/// The writer behind `select`: unsigned integers (sea-query binds LIMIT and OFFSET as
/// the only `u64` values in our statements) written in; any other value only noted, as
/// `select` then builds the statement with everything bound.
struct LimitsWritten {
    sql: String,
    other_values: bool,
}

impl Write for LimitsWritten {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.sql.write_str(s)
    }
}

impl fmt::Display for LimitsWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

impl SqlWriter for LimitsWritten {
    fn push_param<T: QueryBuilder>(&mut self, value: Value, _: &T) {
        match value {
            Value::BigUnsigned(Some(n)) => self.sql.push_str(&n.to_string()),
            _ => self.other_values = true,
        }
    }

    fn as_writer(&mut self) -> &mut dyn Write {
        self as _
    }
}

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

#[cfg(test)]
mod tests {
    use entity::opportunities;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

    use super::*;

    fn page() -> SelectStatement {
        opportunities::Entity::find()
            .filter(opportunities::Column::Name.eq("Renewal"))
            .filter(opportunities::Column::Probability.gt(20))
            .limit(11)
            .offset(40)
            .into_query()
    }

    fn plain_page() -> SelectStatement {
        opportunities::Entity::find()
            .limit(11)
            .offset(40)
            .into_query()
    }

    #[test]
    fn limits_are_written_in_only_when_nothing_else_is_bound() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let ours = select(backend, &plain_page());
            assert!(ours.sql.ends_with(" LIMIT 11 OFFSET 40"), "{}", ours.sql);
            assert!(ours.values.is_none(), "{backend:?}");
            // With a filter's values, every value stays bound, the limits too.
            let filtered = select(backend, &page());
            assert_eq!(filtered.sql, backend.build(&page()).sql);
            assert_eq!(filtered.values.expect("bound").0.len(), 4);
        }
    }

    #[test]
    fn the_rest_of_the_text_is_what_sea_query_builds() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let ours = select(backend, &plain_page());
            let theirs = backend.build(&plain_page());
            let placeholder = if backend == DbBackend::Postgres {
                "$1"
            } else {
                "?"
            };
            let (prefix, _) = theirs.sql.split_once(" LIMIT ").expect("a limit");
            assert_eq!(ours.sql, format!("{prefix} LIMIT 11 OFFSET 40"));
            assert!(
                theirs.sql.contains(&format!("LIMIT {placeholder}")),
                "{}",
                theirs.sql
            );
        }
    }
}
