//! Relay global object identification: the `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};

use super::{
    accounts::Account,
    activities::Activity,
    audit::AuditEvent,
    context::{actor, loaders, state},
    handoffs::{Handoff, HandoffEvent},
    leads::Lead,
    loaders::shared,
    opportunities::Opportunity,
    quotas::Quota,
    territories::Territory,
    users::{Partner, User},
};
use crate::{domain::GlobalId, error::AppError, services};

/// Any object that has a global id and can be fetched with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "&ID",
    desc = "Global id; use it with `node(id:)` and in mutations."
))]
// Built once per `node(id:)` call; boxing the variants would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Node {
    User(User),
    Partner(Partner),
    Territory(Territory),
    Account(Account),
    Lead(Lead),
    Opportunity(Opportunity),
    Activity(Activity),
    AuditEvent(AuditEvent),
    Quota(Quota),
    DealRegistration(super::deal_registrations::DealRegistration),
    Handoff(Handoff),
    HandoffEvent(HandoffEvent),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id. Objects outside the caller's scope, and types the
    /// caller's role may not read, are `null` with a `NOT_FOUND` error: the id reveals
    /// nothing. Nullable, as Relay expects, so one unknown id does not null the response.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id as returned in any `id` field.")] id: ID,
    ) -> async_graphql::Result<Option<Node>> {
        let actor = actor(ctx)?;
        let gid = GlobalId::decode(&id, "id")?;
        let db = &state(ctx)?.db;
        let hide = |e: AppError| match e {
            AppError::Forbidden(_) => AppError::not_found(gid.type_name),
            other => other,
        };
        let node = match gid.type_name {
            "User" => Node::User(services::users::get(db, actor, gid.id).await?.into()),
            "Partner" => Node::Partner(
                loaders(ctx)?
                    .partners
                    .load_one(gid.id)
                    .await
                    .map_err(shared)?
                    .ok_or_else(|| AppError::not_found("Partner"))?
                    .into(),
            ),
            "Territory" => Node::Territory(
                services::territories::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Account" => Node::Account(
                services::accounts::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Lead" => Node::Lead(
                services::leads::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Opportunity" => Node::Opportunity(
                services::opportunities::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Activity" => Node::Activity(
                services::activities::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "AuditEvent" => Node::AuditEvent(
                services::audit::query::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Quota" => {
                let st = state(ctx)?;
                let row = services::quotas::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?;
                let figures =
                    super::quotas::with_figures(st, std::slice::from_ref(&row), ctx.look_ahead())
                        .await?;
                Node::Quota(super::quotas::to_quota(st, &figures, row))
            }
            "DealRegistration" => Node::DealRegistration(
                services::deal_registrations::get(state(ctx)?, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "Handoff" => Node::Handoff(
                services::handoffs::get(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            "HandoffEvent" => Node::HandoffEvent(
                services::handoffs::get_event(db, actor, gid.id)
                    .await
                    .map_err(hide)?
                    .into(),
            ),
            _ => return Err(AppError::not_found(gid.type_name).into()),
        };
        Ok(Some(node))
    }
}
