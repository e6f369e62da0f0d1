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

/// Reading the trail: directors all of it, sales managers their team's actions.
pub mod query {
    use entity::audit_events;
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
    use uuid::Uuid;

    use crate::{
        auth::{
            Actor,
            policy::{self, Action},
        },
        error::{AppError, AppResult},
        services::page::{PageArgs, Paged, fetch_page},
    };

    #[derive(Debug, Default, Clone)]
    pub struct AuditFilter {
        pub entity_type: Option<String>,
        pub entity_id: Option<Uuid>,
        pub actor_id: Option<Uuid>,
        pub action: Option<String>,
    }

    pub async fn list<C: ConnectionTrait>(
        db: &C,
        actor: &Actor,
        f: &AuditFilter,
        page: &PageArgs,
    ) -> AppResult<Paged<audit_events::Model>> {
        use audit_events::Column as E;
        policy::require(actor, Action::ReadAuditLog)?;
        page.validate()?;
        let mut cond = policy::audit_scope(actor);
        if let Some(t) = &f.entity_type {
            cond = cond.add(E::EntityType.eq(t.as_str()));
        }
        if let Some(id) = f.entity_id {
            cond = cond.add(E::EntityId.eq(id));
        }
        if let Some(a) = f.actor_id {
            cond = cond.add(E::ActorId.eq(a));
        }
        if let Some(a) = &f.action {
            cond = cond.add(E::Action.eq(a.as_str()));
        }
        fetch_page(
            db,
            audit_events::Entity::find().filter(cond),
            page,
            E::At,
            true,
            E::Id,
        )
        .await
    }

    pub async fn get<C: ConnectionTrait>(
        db: &C,
        actor: &Actor,
        id: Uuid,
    ) -> AppResult<audit_events::Model> {
        policy::require(actor, Action::ReadAuditLog)?;
        audit_events::Entity::find_by_id(id)
            .filter(policy::audit_scope(actor))
            .one(db)
            .await?
            .ok_or_else(|| AppError::not_found("AuditEvent"))
    }
}
