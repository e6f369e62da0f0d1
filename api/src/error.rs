//! The one table of error codes: every failure a client can see is an `AppError`,
//! and every `AppError` becomes exactly one `extensions.code`.
//!
//! Database and other internal errors are logged here and answered with a bare
//! "internal error", so their text can never reach a client.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

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
    /// Apollo's automatic persisted queries: the hash is unknown, send the text with it.
    /// The message is the one Apollo's client matches.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
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
            AppError::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            AppError::Unavailable | AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of a failure answered outside GraphQL (report downloads).
    pub fn http_status(&self) -> actix_web::http::StatusCode {
        use actix_web::http::StatusCode as S;
        match self {
            AppError::Unauthenticated(_) => S::UNAUTHORIZED,
            AppError::Forbidden(_) => S::FORBIDDEN,
            AppError::NotFound { .. } | AppError::PersistedQueryNotFound => S::NOT_FOUND,
            AppError::BadUserInput { .. } => S::BAD_REQUEST,
            AppError::Conflict(_) | AppError::InvalidStateTransition(_) => S::CONFLICT,
            AppError::RateLimited { .. } => S::TOO_MANY_REQUESTS,
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
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable
            }
            _ => AppError::Internal(err.to_string()),
        }
    }
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
