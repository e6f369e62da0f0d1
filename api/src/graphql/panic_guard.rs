//! The last line of defence: a panic inside a resolver becomes an `INTERNAL_SERVER_ERROR`
//! answer (its cause logged, not sent), so it can neither drop the connection nor take
//! the worker down.

use std::{future::Future, panic::AssertUnwindSafe};

use async_graphql::Response;
use futures_util::FutureExt as _;

use crate::error::AppError;

/// Runs `execution` (one GraphQL request), answering a panic as an internal error.
pub async fn guarded(execution: impl Future<Output = Response>) -> Response {
    match AssertUnwindSafe(execution).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let err: async_graphql::Error =
                AppError::internal(format!("panic while resolving: {what}")).into();
            Response::from_errors(vec![crate::error::request_error(err)])
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::guarded;

    struct Query;

    #[Object]
    impl Query {
        async fn fine(&self) -> i32 {
            1
        }

        async fn boom(&self) -> i32 {
            let digits: Vec<i32> = Vec::new();
            // An out-of-bounds index: the kind of bug that once panicked a worker.
            digits[usize::from(digits.is_empty()) * 3]
        }
    }

    #[tokio::test]
    async fn a_panicking_resolver_answers_an_internal_error_that_tells_nothing() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        let response = guarded(schema.execute("{ fine boom }")).await;
        assert_eq!(response.errors.len(), 1, "{response:?}");
        let error = &response.errors[0];
        assert_eq!(error.message, "internal error");
        let ext = format!("{:?}", error.extensions);
        assert!(ext.contains("INTERNAL_SERVER_ERROR"), "{ext}");
        assert!(!ext.contains("index out of bounds"), "{ext}");
        // The next request on the same schema (and worker) is served as usual.
        let response = guarded(schema.execute("{ fine }")).await;
        assert!(response.errors.is_empty(), "{response:?}");
    }
}
