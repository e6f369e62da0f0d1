//! The field budget of one request, enforced while it resolves.
//!
//! The response is built whole before it is sent, so a cap on its bytes would come
//! too late: by then the rows are loaded and the memory spent. Instead every field
//! resolved draws from the request's budget; past it, the first field over answers an
//! error and every later one (fields and list items alike) resolves to null without
//! running, so nothing more is loaded. Introspection draws nothing.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};

use crate::error::AppError;

/// Installs a fresh budget of `max_fields` in every request.
pub struct FieldBudget {
    pub max_fields: usize,
}

impl ExtensionFactory for FieldBudget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Budget {
            max: self.max_fields,
            used: AtomicUsize::new(0),
        })
    }
}

struct Budget {
    max: usize,
    used: AtomicUsize,
}

#[async_trait::async_trait]
impl Extension for Budget {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.is_for_introspection {
            return next.run(ctx, info).await;
        }
        let used = self.used.fetch_add(1, Ordering::Relaxed) + 1;
        if used <= self.max {
            return next.run(ctx, info).await;
        }
        if used == self.max + 1 {
            let err: async_graphql::Error = AppError::TooExpensive(format!(
                "the response would hold more than {} fields; ask for smaller pages",
                self.max
            ))
            .into();
            return Err(err.into_server_error(info.field.name.pos));
        }
        // `Some(Null)`, not `None`: list items pass through here too and must have a value.
        Ok(Some(Value::Null))
    }
}
