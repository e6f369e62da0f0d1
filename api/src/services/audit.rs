//! The append-only audit trail: one row per mutation, written in the mutation's transaction.

use entity::audit_events;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::AppResult;

/// Field-level before/after pairs; only fields that really changed are kept.
#[derive(Default)]
pub struct Changes(Map<String, Value>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn field(mut self, name: &str, before: impl Into<Value>, after: impl Into<Value>) -> Self {
        let (before, after) = (before.into(), after.into());
        if before != after {
            self.0.insert(
                name.to_string(),
                json!({ "before": before, "after": after }),
            );
        }
        self
    }

    /// A field whose value is secret: records that it changed, never the value.
    pub fn redacted(mut self, name: &str, changed: bool) -> Self {
        if changed {
            self.0.insert(
                name.to_string(),
                json!({ "before": "[redacted]", "after": "[redacted]" }),
            );
        }
        self
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor_id: Option<Uuid>,
    action: &str,
    entity_type: &str,
    entity_id: Uuid,
    changes: Changes,
) -> AppResult<()> {
    audit_events::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(chrono::Utc::now()),
        actor_id: Set(actor_id),
        action: Set(action.to_string()),
        entity_type: Set(entity_type.to_string()),
        entity_id: Set(entity_id),
        changes: Set(changes.into_value()),
    }
    .insert(db)
    .await?;
    Ok(())
}
