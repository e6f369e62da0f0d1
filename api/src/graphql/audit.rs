//! The audit log (directors: everything; sales managers: their team's actions) and
//! `viewerPermissions`.

use async_graphql::{ComplexObject, Context, ID, InputObject, Json, Object, SimpleObject};
use entity::{audit_events, enums::Role};

use super::{
    connection::{Conn, page_args, to_connection},
    context::{actor, loaders, state},
    loaders::load,
    users::User,
};
use crate::{
    auth::policy::{self, Action, GRANTS, Reach},
    domain::GlobalId,
    services::audit::query::{self as svc, AuditFilter},
};

/// One mutation: who, when, what, on which row, and the fields before and after.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct AuditEvent {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// When it happened (ISO 8601, UTC).
    pub at: super::scalars::DateTime,
    /// What was done: the name of the mutation, for example `createAccount`.
    pub action: String,
    /// The type of record it was done to, for example `Account`.
    pub entity_type: String,
    /// The global id of the row changed.
    pub entity_id: ID,
    /// `{ field: { before, after } }`.
    pub changes: Json<serde_json::Value>,
    #[graphql(skip)]
    pub model: audit_events::Model,
}

impl From<audit_events::Model> for AuditEvent {
    fn from(m: audit_events::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("AuditEvent", m.id)),
            at: m.at.into(),
            action: m.action.clone(),
            entity_type: m.entity_type.clone(),
            entity_id: ID(GlobalId::encode(&m.entity_type, m.entity_id)),
            changes: Json(m.changes.clone()),
            model: m,
        }
    }
}

#[ComplexObject]
impl AuditEvent {
    /// The user who did it, when the caller may see that user.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.actor_id, User::from).await
    }
}

/// Narrows the audit log; all conditions must hold.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// `User`, `Territory`, `Account`, `Lead`, `Opportunity`, `Activity`.
    pub entity_type: Option<String>,
    /// A global id; its type is used too.
    pub entity_id: Option<ID>,
    /// Only events by this user (global id).
    pub actor_id: Option<ID>,
    /// Only events with exactly this action (a mutation name, for example `createAccount`).
    pub action: Option<String>,
}

/// What the caller may do, from the same grant table the server enforces.
#[derive(SimpleObject)]
pub struct Permission {
    /// The action.
    pub action: Action,
    /// Whether the caller may do it at all (the rows it reaches may still be limited).
    pub allowed: bool,
    /// How far the rows it applies to reach.
    pub reach: Reach,
}

/// What the signed-in user may do, to show or hide parts of a user interface. The
/// server checks every request anyway.
#[derive(SimpleObject)]
pub struct ViewerPermissions {
    /// The signed-in user's role.
    pub role: Role,
    /// One entry per action, allowed or not.
    pub permissions: Vec<Permission>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Newest first.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Page backward: at most this many items before `before` (or from the end)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Page backward: items before this cursor (a `startCursor` or edge `cursor` you received)."
        )]
        before: Option<String>,
        #[graphql(desc = "Narrows the list; omitted, every row the caller may see.")]
        filter: Option<AuditFilterInput>,
    ) -> async_graphql::Result<Conn<AuditEvent>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let (mut entity_type, mut entity_id) = (f.entity_type, None);
        if let Some(id) = &f.entity_id {
            let g = GlobalId::decode(id, "entityId")?;
            entity_type = Some(g.type_name.to_string());
            entity_id = Some(g.id);
        }
        let filter = AuditFilter {
            entity_type,
            entity_id,
            actor_id: f
                .actor_id
                .as_ref()
                .map(|a| GlobalId::decode_as(a, "User", "actorId"))
                .transpose()?,
            action: f.action,
        };
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        to_connection(ctx, paged, AuditEvent::from)
    }

    /// Every action with whether the caller may perform it and on which rows, so a
    /// frontend can hide what the server would refuse.
    async fn viewer_permissions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<ViewerPermissions> {
        let actor = actor(ctx)?;
        let permissions = GRANTS
            .iter()
            .map(|(action, _)| Permission {
                action: *action,
                allowed: policy::allowed(actor.role, *action),
                reach: policy::reach(actor, *action),
            })
            .collect();
        Ok(ViewerPermissions {
            role: actor.role,
            permissions,
        })
    }
}
