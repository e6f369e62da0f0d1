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

/// `stmt` for `backend` with its LIMIT and OFFSET written into the text, every other
/// value bound as usual.
///
/// A bound LIMIT costs PostgreSQL a plan per execution: the generic plan of a prepared
/// statement has to guess how many rows `LIMIT $n` keeps, its estimate never beats the
/// custom plans', so the plan cache replans every time (measured on the nested read:
/// `custom_plans` 12 of 12 executions, planning 1.3–2.2 ms of a 3–5 ms statement).
/// Written in, the limit is part of the statement text: the statement is prepared once
/// per page size and its plan is kept. They are integers from the server's own page
/// arithmetic, so nothing a client sends becomes SQL text. sea-query binds a LIMIT or
/// OFFSET as the only unsigned values in our statements (`u64`), and those are what
/// this writes in.
pub fn select(backend: DbBackend, stmt: &SelectStatement) -> Statement {
    let mut out = LimitsWritten {
        sql: String::with_capacity(256),
        values: Vec::new(),
        numbered: backend == DbBackend::Postgres,
    };
    match backend {
        DbBackend::Postgres => stmt.build_collect_any_into(&PostgresQueryBuilder, &mut out),
        _ => stmt.build_collect_any_into(&SqliteQueryBuilder, &mut out),
    }
    Statement::from_sql_and_values(backend, out.sql, out.values)
}

/// The writer behind `select`: unsigned integers inline, every other value a placeholder.
struct LimitsWritten {
    sql: String,
    values: Vec<Value>,
    /// `$1, $2, …` (PostgreSQL) rather than `?` (SQLite).
    numbered: bool,
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
        if let Value::BigUnsigned(Some(n)) = value {
            self.sql.push_str(&n.to_string());
            return;
        }
        self.values.push(value);
        if self.numbered {
            self.sql.push('$');
            self.sql.push_str(&self.values.len().to_string());
        } else {
            self.sql.push('?');
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

    #[test]
    fn limits_are_written_in_and_every_other_value_bound() {
        let pg = select(DbBackend::Postgres, &page());
        assert!(
            pg.sql.ends_with(r#""probability" > $2 LIMIT 11 OFFSET 40"#),
            "{}",
            pg.sql
        );
        assert!(pg.sql.contains(r#""name" = $1"#), "{}", pg.sql);
        let values = pg.values.expect("bound values").0;
        assert_eq!(values, vec![Value::from("Renewal"), Value::from(20)]);

        let lite = select(DbBackend::Sqlite, &page());
        assert!(
            lite.sql
                .ends_with(r#""probability" > ? LIMIT 11 OFFSET 40"#),
            "{}",
            lite.sql
        );
        assert_eq!(lite.values.expect("bound values").0.len(), 2);
    }

    #[test]
    fn the_rest_of_the_text_is_what_sea_query_builds() {
        let mut unlimited = page();
        unlimited.reset_limit().reset_offset();
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let ours = select(backend, &unlimited);
            let theirs = backend.build(&unlimited);
            assert_eq!(ours.sql, theirs.sql);
            assert_eq!(ours.values, theirs.values);
        }
    }
}
