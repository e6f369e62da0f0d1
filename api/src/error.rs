//! The one table of error codes: every failure a client can see is an `AppError`,
//! and every `AppError` becomes exactly one `extensions.code`.
//!
//! Database and other internal errors are logged here and answered with a bare
//! "internal error", so their text can never reach a client.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    #[error("{message}")]
    BadUserInput { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    InvalidStateTransition(String),
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A count the caller holds is at its limit (subscriptions on a socket): freeing
    /// one, not waiting, makes room.
    #[error("{0}")]
    LimitReached(String),
    /// Apollo's automatic persisted queries: the hash is unknown, send the text with it.
    /// The message is the one Apollo's client matches.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// The request asks for more than the limits allow (cost, field budget, deadline,
    /// statement timeout): the client's query is the input at fault.
    #[error("{0}")]
    TooExpensive(String),
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The stable code frontends switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound { .. } => "NOT_FOUND",
            AppError::BadUserInput { .. } | AppError::TooExpensive(_) => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::InvalidStateTransition(_) => "INVALID_STATE_TRANSITION",
            AppError::RateLimited { .. } | AppError::LimitReached(_) => "RATE_LIMITED",
            AppError::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            AppError::Unavailable => "UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of a failure answered outside GraphQL (report downloads).
    pub fn http_status(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode as S;
        match self {
            AppError::Unauthenticated(_) => S::UNAUTHORIZED,
            AppError::Forbidden(_) => S::FORBIDDEN,
            AppError::NotFound { .. } | AppError::PersistedQueryNotFound => S::NOT_FOUND,
            AppError::BadUserInput { .. } | AppError::TooExpensive(_) => S::BAD_REQUEST,
            AppError::Conflict(_) | AppError::InvalidStateTransition(_) => S::CONFLICT,
            AppError::RateLimited { .. } | AppError::LimitReached(_) => S::TOO_MANY_REQUESTS,
            AppError::Unavailable => S::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => S::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("your role may not perform this operation".into())
    }

    pub fn unauthenticated() -> Self {
        AppError::Unauthenticated("authentication required".into())
    }

    pub fn not_found(entity: &'static str) -> Self {
        AppError::NotFound { entity }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError::Internal(cause.to_string())
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_contention(&err) {
            tracing::warn!(error = %err, "write contention");
            return AppError::Conflict(
                "another change to the same data was being saved; try again".into(),
            );
        }
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            _ => db_failure(&err).unwrap_or_else(|| AppError::Internal(err.to_string())),
        }
    }
}

/// A constraint the client can break, as each database names it: PostgreSQL by the
/// constraint's name, SQLite by `table.column` (it reports no names).
struct ConstraintRule {
    postgres: &'static str,
    sqlite: &'static str,
    field: &'static str,
    message: &'static str,
}

/// THE table of database failures a client may cause: every service maps them the same
/// way through `?`. A foreign key not listed here follows the naming convention of the
/// migrations (`fk_<table>_<column>`) and names `<column>` in camelCase.
const CONSTRAINTS: &[ConstraintRule] = &[
    ConstraintRule {
        postgres: "ux_users_email",
        sqlite: "users.email",
        field: "email",
        message: "is already in use",
    },
    ConstraintRule {
        postgres: "ux_accounts_domain",
        sqlite: "accounts.domain",
        field: "domain",
        // The holder may lie outside the caller's scope: say it is taken, name nothing.
        message: "this domain is taken",
    },
    ConstraintRule {
        postgres: "ux_partners_name",
        sqlite: "partners.name",
        field: "name",
        message: "is already in use",
    },
    ConstraintRule {
        postgres: "territory_members_pkey",
        sqlite: "territory_members.territory_id, territory_members.user_id",
        field: "userId",
        message: "is already a member of this territory",
    },
    ConstraintRule {
        postgres: "ux_quotas_assignee_key_metric_period",
        sqlite: "quotas.assignee_key, quotas.metric, quotas.period",
        field: "period",
        message: "a quota for this assignee, metric and period already exists",
    },
];

/// SQLSTATEs (PostgreSQL) a client may cause or retry, and what they answer.
fn by_sqlstate(code: &str) -> Option<AppError> {
    Some(match code {
        // serialization_failure, deadlock_detected: another writer won; try again.
        "40001" | "40P01" => {
            AppError::Conflict("the data changed while you were writing it; try again".into())
        }
        // query_canceled: our statement_timeout.
        "57014" => {
            AppError::TooExpensive("a database statement took too long; ask for less".into())
        }
        // character_not_in_repertoire (a NUL byte), string_data_right_truncation,
        // numeric_value_out_of_range: caught at the edge, kept here as the backstop.
        "22021" | "22P05" => AppError::bad_input("input", "text may not contain NUL bytes"),
        "22001" => AppError::bad_input("input", "a value is too long"),
        "22003" => AppError::bad_input("input", "a number is out of range"),
        // datetime_field_overflow, invalid_datetime_format: the scalars refuse such
        // dates first; a client's value, never an outage.
        "22007" | "22008" => AppError::bad_input("input", "a date is out of range"),
        // The server shutting down or not yet accepting, a broken connection.
        "57P01" | "57P02" | "57P03" => AppError::Unavailable,
        c if c.starts_with("08") => AppError::Unavailable,
        _ => return None,
    })
}

/// The client error a database failure stands for, or `None` for a server fault.
fn db_failure(err: &DbErr) -> Option<AppError> {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{RuntimeErr, sqlx::error::ErrorKind};
    let db = match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            // The database went away mid-request: the same clear answer as a pool
            // that cannot connect.
            if matches!(
                e.as_ref(),
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed
            ) {
                tracing::error!(error = %err, "database unavailable");
                return Some(AppError::Unavailable);
            }
            e.as_database_error()?
        }
        _ => return None,
    };
    let named = |rule: &ConstraintRule| match db.constraint() {
        Some(name) => name == rule.postgres,
        None => db.message().ends_with(rule.sqlite),
    };
    match db.kind() {
        ErrorKind::UniqueViolation => CONSTRAINTS
            .iter()
            .find(|r| named(r))
            .map(|r| AppError::bad_input(r.field, r.message)),
        ErrorKind::ForeignKeyViolation => {
            let field = db
                .constraint()
                .and_then(|c| c.strip_prefix("fk_"))
                .and_then(|rest| {
                    CONSTRAINT_TABLES
                        .iter()
                        .find_map(|t| rest.strip_prefix(t)?.strip_prefix('_'))
                })
                .map(camel_case)
                .unwrap_or_else(|| "input".to_string());
            Some(AppError::bad_input(
                field,
                "refers to something that does not exist",
            ))
        }
        _ => by_sqlstate(db.code()?.as_ref()),
    }
}

/// Tables whose foreign keys follow `fk_<table>_<column>`, longest first so that
/// `territory_members` is not read as `territories`.
const CONSTRAINT_TABLES: &[&str] = &[
    "deal_registrations",
    "territory_members",
    "handoff_events",
    "refresh_tokens",
    "opportunities",
    "audit_events",
    "territories",
    "activities",
    "handoffs",
    "accounts",
    "partners",
    "quotas",
    "leads",
    "users",
];

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Database answers that mean "someone else was writing the same thing": SQLite's
/// BUSY / LOCKED ("database is locked", left over when the busy timeout ran out) and
/// PostgreSQL's serialization failure and deadlock. The request did nothing, so the
/// client may retry: `CONFLICT`, never an internal error.
fn is_contention(err: &DbErr) -> bool {
    let (DbErr::Conn(RuntimeErr::SqlxError(e))
    | DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let Some(code) = e.as_database_error().and_then(|d| d.code()) else {
        return false;
    };
    // SQLite codes are numbers of at most four digits, with the primary code in the low
    // byte (517 = BUSY_SNAPSHOT); PostgreSQL's SQLSTATEs always have five characters.
    let sqlite_busy =
        code.len() < 5 && code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
    sqlite_busy || matches!(code.as_ref(), "40001" | "40P01")
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        // The one place errors are logged: a server fault at ERROR with its cause; a
        // client's error at INFO with its code and field only, since its message may
        // quote the client's input.
        match &err {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            // Logged at ERROR where the connection failed.
            AppError::Unavailable => {}
            AppError::BadUserInput { field, .. } => {
                tracing::info!(code = err.code(), %field, "client error")
            }
            _ => tracing::info!(code = err.code(), "client error"),
        }
        async_graphql::Error::new(err.to_string()).extend_with(|_, ext| {
            ext.set("code", err.code());
            match &err {
                AppError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                AppError::NotFound { entity } => ext.set("entity", *entity),
                AppError::TooExpensive(_) => ext.set("field", "query"),
                AppError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
}

/// `err` as a GraphQL error of the whole request, outside any field: no path and no
/// `locations` (positions start at 1; there is none to give).
pub fn request_error(err: impl Into<async_graphql::Error>) -> async_graphql::ServerError {
    let err: async_graphql::Error = err.into();
    let mut e = err.into_server_error(Default::default());
    e.locations.clear();
    e
}

/// Errors async-graphql raises itself (unknown enum value, wrong input type, a
/// parse or validation failure) carry no code; they are all the client's input.
pub fn code_for_uncoded_error() -> &'static str {
    "BAD_USER_INPUT"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let err: async_graphql::Error =
            AppError::from(DbErr::Custom("relation \"users\" does not exist".into())).into();
        assert_eq!(err.message, "internal error");
        let ext = format!("{:?}", err.extensions);
        assert!(ext.contains("INTERNAL_SERVER_ERROR"));
        assert!(!ext.contains("relation"));
    }

    #[test]
    fn a_database_gone_mid_request_is_unavailable_not_internal() {
        use sea_orm::{RuntimeErr, sqlx};
        let gone = DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(
            sqlx::Error::PoolTimedOut,
        )));
        let err = AppError::from(gone);
        assert!(matches!(err, AppError::Unavailable), "{err:?}");
        assert!(by_sqlstate("57P01").is_some_and(|e| matches!(e, AppError::Unavailable)));
        assert!(by_sqlstate("08006").is_some_and(|e| matches!(e, AppError::Unavailable)));
    }

    #[test]
    fn foreign_keys_name_their_column() {
        assert_eq!(camel_case("account_manager_id"), "accountManagerId");
        let rest = "fk_territory_members_user_id".strip_prefix("fk_").unwrap();
        let col = CONSTRAINT_TABLES
            .iter()
            .find_map(|t| rest.strip_prefix(t)?.strip_prefix('_'))
            .unwrap();
        assert_eq!(col, "user_id");
    }

    #[test]
    fn bad_input_names_the_field() {
        let err: async_graphql::Error = AppError::bad_input("email", "is not an email").into();
        let ext = format!("{:?}", err.extensions);
        assert!(
            ext.contains("BAD_USER_INPUT") && ext.contains("email"),
            "{ext}"
        );
    }
}
