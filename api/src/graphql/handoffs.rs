//! Handoffs: types, the scoped list, and the mutations that move them through
//! `PENDING → ACCEPTED | REJECTED | CANCELLED`.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::{
    enums::{HandoffKind, HandoffStatus, RejectReason},
    handoff_events, handoffs,
};

use super::{
    accounts::Account,
    connection::{Conn, nested, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    leads::Lead,
    loaders::load,
    opportunities::Opportunity,
    users::{OrderDirection, User},
};
use crate::{
    domain::{GlobalId, handoff},
    services::handoffs::{
        self as svc, HandoffDirection, HandoffFilter, HandoffOrderField, NewHandoff, Resolve,
    },
};

/// Responsibility for a lead or an account, passed from one person to another: proposed
/// by the sender, then accepted or rejected by the recipient (or cancelled by the sender).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Handoff {
    /// The handoff's global id.
    pub id: ID,
    /// Which responsibility moves, from which role to which.
    pub kind: HandoffKind,
    /// `PENDING` until the recipient accepts or rejects it or the sender cancels it.
    pub status: HandoffStatus,
    /// The sender's note to the recipient.
    pub note: String,
    /// Why the recipient rejected it.
    pub reason_code: Option<RejectReason>,
    /// The recipient's note when rejecting.
    pub response_note: Option<String>,
    /// When the recipient should have answered (the kind's SLA).
    pub due_at: super::scalars::DateTime,
    /// When it was accepted, rejected or cancelled.
    pub resolved_at: Option<super::scalars::DateTime>,
    /// Pass it back to accept, reject, cancel or redirect; a stale one is refused.
    pub version: i32,
    /// When it was requested.
    pub created_at: super::scalars::DateTime,
    /// When it last changed; `handoffs(filter: { updatedSince })` catches up from here.
    pub updated_at: super::scalars::DateTime,
    #[graphql(skip)]
    pub model: handoffs::Model,
}

impl From<handoffs::Model> for Handoff {
    fn from(m: handoffs::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Handoff", m.id)),
            kind: m.kind,
            status: m.status,
            note: m.note.clone(),
            reason_code: m.reason_code,
            response_note: m.response_note.clone(),
            due_at: m.due_at.into(),
            resolved_at: m.resolved_at.map(Into::into),
            version: m.version,
            created_at: m.created_at.into(),
            updated_at: m.updated_at.into(),
            model: m,
        }
    }
}

#[ComplexObject]
impl Handoff {
    /// The sender.
    #[graphql(name = "from")]
    async fn sender(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(
            &loaders(ctx)?.users,
            Some(self.model.from_user_id),
            User::from,
        )
        .await
    }

    /// The recipient.
    async fn to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(
            &loaders(ctx)?.users,
            Some(self.model.to_user_id),
            User::from,
        )
        .await
    }

    /// The lead handed over (`SDR_TO_AE`), when the caller may see it.
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lead>> {
        load(&loaders(ctx)?.leads, self.model.lead_id, Lead::from).await
    }

    /// The account handed over, or the one a lead converted into.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        load(
            &loaders(ctx)?.accounts,
            self.model.account_id,
            Account::from,
        )
        .await
    }

    /// The opportunity created when it was accepted (conversion or expansion).
    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        load(
            &loaders(ctx)?.opportunities,
            self.model.opportunity_id,
            Opportunity::from,
        )
        .await
    }

    /// Still pending after `dueAt`.
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let now = state(ctx)?.clock.now();
        Ok(handoff::overdue(self.model.status, self.model.due_at, now))
    }

    /// Every transition, oldest first; never edited.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (an edge's `cursor`).")] after: Option<String>,
    ) -> async_graphql::Result<Conn<HandoffEvent>> {
        nested(
            ctx,
            &loaders(ctx)?.handoff_events,
            self.model.id,
            first,
            after,
            HandoffEvent::from,
        )
        .await
    }
}

/// One transition of a handoff.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct HandoffEvent {
    /// The event's global id.
    pub id: ID,
    /// When the transition happened.
    pub at: super::scalars::DateTime,
    /// The status before this transition; `null` for the request that created the handoff.
    pub from_status: Option<HandoffStatus>,
    /// The status after the transition (a redirect stays `PENDING`).
    pub to_status: HandoffStatus,
    /// Why it was rejected, on a rejection.
    pub reason_code: Option<RejectReason>,
    /// The note written with the transition, if any.
    pub note: Option<String>,
    #[graphql(skip)]
    pub model: handoff_events::Model,
    /// Delivered live: the handoff as the fan-out loaded it, already in scope.
    #[graphql(skip)]
    pub handoff: Option<handoffs::Model>,
}

impl HandoffEvent {
    /// A live event: its handoff comes with it, so a subscriber selecting it costs no
    /// statement of its own.
    pub fn live(e: &crate::events::LiveEvent) -> Self {
        Self {
            handoff: Some(e.handoff.clone()),
            ..Self::from(e.event.clone())
        }
    }
}

impl From<handoff_events::Model> for HandoffEvent {
    fn from(m: handoff_events::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("HandoffEvent", m.id)),
            at: m.at.into(),
            from_status: m.from_status,
            to_status: m.to_status,
            reason_code: m.reason_code,
            note: m.note.clone(),
            model: m,
            handoff: None,
        }
    }
}

#[ComplexObject]
impl HandoffEvent {
    /// Who made the transition.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, Some(self.model.actor_id), User::from).await
    }

    /// The handoff this event belongs to.
    async fn handoff(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Handoff>> {
        if let Some(h) = &self.handoff {
            return Ok(Some(Handoff::from(h.clone())));
        }
        load(
            &loaders(ctx)?.handoffs,
            Some(self.model.handoff_id),
            Handoff::from,
        )
        .await
    }

    /// The recipient after the transition (a redirect changes it).
    async fn to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.to_user_id, User::from).await
    }
}

/// Narrows a handoff list; every condition given must hold.
#[derive(InputObject, Default)]
pub struct HandoffFilterInput {
    /// Sent to the caller (`INCOMING`) or by the caller (`OUTGOING`); both when omitted.
    pub direction: Option<HandoffDirection>,
    /// Only these kinds; all when empty.
    #[graphql(default)]
    pub kind: Vec<HandoffKind>,
    #[graphql(default)]
    /// Only these statuses; all when empty.
    pub status: Vec<HandoffStatus>,
    /// `true`: pending past `dueAt` — a manager's escalation queue.
    pub overdue: Option<bool>,
    /// Changed at or after this time: what a client missed while disconnected.
    pub updated_since: Option<super::scalars::DateTime>,
}

/// How to sort a handoff list.
#[derive(InputObject)]
pub struct HandoffOrderInput {
    /// The value to sort by.
    pub field: HandoffOrderField,
    /// `ASC` or `DESC`; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new handoff: its kind, its subject, its recipient and a note for them.
#[derive(InputObject)]
pub struct RequestHandoffInput {
    /// What moves: it decides the subject (`leadId` or `accountId`) and the recipient's role.
    pub kind: HandoffKind,
    /// The lead, for `SDR_TO_AE`.
    pub lead_id: Option<ID>,
    /// The account, for every other kind.
    pub account_id: Option<ID>,
    /// The recipient.
    pub to_user_id: ID,
    /// What the recipient needs to know; required.
    pub note: String,
}

#[derive(Default)]
pub struct HandoffQuery;

#[Object]
impl HandoffQuery {
    /// Handoffs the caller sent or received, and, for managers, their team's.
    #[allow(clippy::too_many_arguments)]
    async fn handoffs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (an edge's `cursor`).")] after: Option<String>,
        #[graphql(desc = "The last this many rows (with `before`, those before it).")] last: Option<
            i32,
        >,
        #[graphql(desc = "Continue before this cursor, paging backwards.")] before: Option<String>,
        #[graphql(desc = "Only the handoffs that meet these conditions.")] filter: Option<
            HandoffFilterInput,
        >,
        #[graphql(desc = "Sort order; newest requested first when omitted.")] order_by: Option<
            HandoffOrderInput,
        >,
    ) -> async_graphql::Result<Conn<Handoff>> {
        let actor = actor(ctx)?;
        let st = state(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = HandoffFilter {
            direction: f.direction,
            kind: f.kind,
            status: f.status,
            overdue: f.overdue,
            updated_since: f.updated_since.map(Into::into),
            lead_id: None,
            account_id: None,
        };
        let order = order_by.map_or((HandoffOrderField::CreatedAt, true), |o| {
            (o.field, o.direction == OrderDirection::Desc)
        });
        let paged = svc::list(
            &st.db,
            actor,
            st.clock.now(),
            &filter,
            order,
            &page_args(first, after, last, before),
        )
        .await?;
        to_connection(ctx, paged, Handoff::from)
    }
}

#[derive(Default)]
pub struct HandoffMutation;

#[Object]
impl HandoffMutation {
    /// Proposes a handoff; it is `PENDING` until the recipient answers.
    async fn request_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The kind, subject, recipient and note.")] input: RequestHandoffInput,
    ) -> async_graphql::Result<Handoff> {
        let actor = actor(ctx)?;
        let i = NewHandoff {
            kind: input.kind,
            lead_id: opt_id(input.lead_id.as_ref(), "Lead", "leadId")?,
            account_id: opt_id(input.account_id.as_ref(), "Account", "accountId")?,
            to_user_id: GlobalId::decode_as(&input.to_user_id, "User", "toUserId")?,
            note: input.note,
        };
        Ok(svc::request(state(ctx)?, actor, i).await?.into())
    }

    /// Takes the handoff on: converts the lead, or assigns the account, as its kind says.
    async fn accept_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The handoff's id.")] id: ID,
        #[graphql(desc = "The `version` you last read; a stale one answers `CONFLICT`.")]
        version: i32,
    ) -> async_graphql::Result<Handoff> {
        resolve(ctx, id, version, Resolve::Accept).await
    }

    /// Declines the handoff with a reason and a note; a lead goes back to its SDR.
    async fn reject_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The handoff's id.")] id: ID,
        #[graphql(desc = "The `version` you last read; a stale one answers `CONFLICT`.")]
        version: i32,
        #[graphql(desc = "Why it is rejected.")] reason_code: RejectReason,
        #[graphql(desc = "An explanation for the sender; required.")] note: String,
    ) -> async_graphql::Result<Handoff> {
        let what = Resolve::Reject {
            reason: reason_code,
            note,
        };
        resolve(ctx, id, version, what).await
    }

    /// Withdraws a pending handoff; only its sender may.
    async fn cancel_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The handoff's id.")] id: ID,
        #[graphql(desc = "The `version` you last read; a stale one answers `CONFLICT`.")]
        version: i32,
        #[graphql(desc = "Why it is withdrawn, for the recipient.")] note: Option<String>,
    ) -> async_graphql::Result<Handoff> {
        resolve(ctx, id, version, Resolve::Cancel { note }).await
    }

    /// Gives a pending handoff to another recipient of the right role in the caller's
    /// team (a manager above the recipient, or a director).
    async fn redirect_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The handoff's id.")] id: ID,
        #[graphql(desc = "The `version` you last read; a stale one answers `CONFLICT`.")]
        version: i32,
        #[graphql(desc = "The new recipient: the right role, in the caller's team.")]
        to_user_id: ID,
        #[graphql(desc = "Why it is redirected, for the new recipient.")] note: Option<String>,
    ) -> async_graphql::Result<Handoff> {
        let to_user_id = GlobalId::decode_as(&to_user_id, "User", "toUserId")?;
        resolve(ctx, id, version, Resolve::Redirect { to_user_id, note }).await
    }
}

async fn resolve(
    ctx: &Context<'_>,
    id: ID,
    version: i32,
    what: Resolve,
) -> async_graphql::Result<Handoff> {
    let actor = actor(ctx)?;
    let id = GlobalId::decode_as(&id, "Handoff", "id")?;
    Ok(svc::resolve(state(ctx)?, actor, id, version, what)
        .await?
        .into())
}
