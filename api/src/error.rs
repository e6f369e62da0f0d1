//! The one table of error codes: every failure a client can see is an `AppError`,
//! and every `AppError` becomes exactly one `extensions.code`.
//!
//! Database and other internal errors are logged here and answered with a bare
//! "internal error", so their text can never reach a client.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr};

#[derive(Debug, thiserror::Error)]
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
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::InvalidStateTransition(_) => "INVALID_STATE_TRANSITION",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::Unavailable | AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
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
            _ => AppError::Internal(err.to_string()),
        }
    }
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
        if let AppError::Internal(cause) = &err {
            tracing::error!(%cause, "internal error");
        }
        async_graphql::Error::new(err.to_string()).extend_with(|_, ext| {
            ext.set("code", err.code());
            match &err {
                AppError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                AppError::NotFound { entity } => ext.set("entity", *entity),
                AppError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfter", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
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
    fn bad_input_names_the_field() {
        let err: async_graphql::Error = AppError::bad_input("email", "is not an email").into();
        let ext = format!("{:?}", err.extensions);
        assert!(
            ext.contains("BAD_USER_INPUT") && ext.contains("email"),
            "{ext}"
        );
    }
}
