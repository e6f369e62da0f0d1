//! Activities: the log of calls, emails, meetings, demos and notes. Internal only.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::{activities, enums::ActivityKind};

use super::{
    accounts::Account,
    connection::{Conn, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    leads::Lead,
    loaders::{load, shared},
    opportunities::Opportunity,
    users::User,
};
use crate::{
    domain::GlobalId,
    services::activities::{self as svc, ActivityFilter, NewActivity},
};

/// Something that happened with a customer: a call, an email, a meeting, a demo or a note. It is attached to a lead, an account or an opportunity.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Activity {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// What kind of activity it was.
    pub kind: ActivityKind,
    /// When it happened (ISO 8601, UTC).
    pub occurred_at: super::scalars::DateTime,
    /// What happened, in a sentence or two.
    pub summary: String,
    /// When it was logged (ISO 8601, UTC).
    pub created_at: super::scalars::DateTime,
    #[graphql(skip)]
    pub model: activities::Model,
}

impl From<activities::Model> for Activity {
    fn from(m: activities::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Activity", m.id)),
            kind: m.kind,
            occurred_at: m.occurred_at.into(),
            summary: m.summary.clone(),
            created_at: m.created_at.into(),
            model: m,
        }
    }
}

#[ComplexObject]
impl Activity {
    /// Who logged it.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .users
            .load_one(self.model.actor_id)
            .await
            .map_err(shared)?
            .map(User::from))
    }

    /// The lead it was logged on, when the caller may see it.
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lead>> {
        load(&loaders(ctx)?.leads, self.model.lead_id, Lead::from).await
    }

    /// The account it was logged on, when the caller may see it.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        load(
            &loaders(ctx)?.accounts,
            self.model.account_id,
            Account::from,
        )
        .await
    }

    /// The opportunity it was logged on, when the caller may see it.
    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        load(
            &loaders(ctx)?.opportunities,
            self.model.opportunity_id,
            Opportunity::from,
        )
        .await
    }
}

/// Narrows the activity list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct ActivityFilterInput {
    /// Only activities on this lead (global id).
    pub lead_id: Option<ID>,
    /// Only activities on this account (global id).
    pub account_id: Option<ID>,
    /// Only activities on this opportunity (global id).
    pub opportunity_id: Option<ID>,
    /// Who logged it.
    pub actor_id: Option<ID>,
    /// Only activities of these kinds; empty or omitted, every kind.
    #[graphql(default)]
    pub kind: Vec<ActivityKind>,
    /// Only activities that happened at or after this instant (ISO 8601, UTC).
    pub occurred_from: Option<super::scalars::DateTime>,
    /// Only activities that happened before this instant (ISO 8601, UTC).
    pub occurred_to: Option<super::scalars::DateTime>,
    /// Case-insensitive text in the summary.
    pub search: Option<String>,
}

/// Exactly one of `leadId`, `accountId`, `opportunityId`.
#[derive(InputObject)]
pub struct LogActivityInput {
    /// What kind of activity it was.
    pub kind: ActivityKind,
    /// What happened, in a sentence or two.
    pub summary: String,
    /// Now when omitted.
    pub occurred_at: Option<super::scalars::DateTime>,
    /// The lead it is about (global id); give exactly one of lead, account or opportunity.
    pub lead_id: Option<ID>,
    /// The account it is about (global id); give exactly one of lead, account or opportunity.
    pub account_id: Option<ID>,
    /// The opportunity it is about (global id); give exactly one of lead, account or opportunity.
    pub opportunity_id: Option<ID>,
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Activities on the leads, accounts and opportunities the caller may see, newest first.
    async fn activities(
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
        filter: Option<ActivityFilterInput>,
    ) -> async_graphql::Result<Conn<Activity>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = ActivityFilter {
            lead_id: opt_id(f.lead_id.as_ref(), "Lead", "leadId")?,
            account_id: opt_id(f.account_id.as_ref(), "Account", "accountId")?,
            opportunity_id: opt_id(f.opportunity_id.as_ref(), "Opportunity", "opportunityId")?,
            actor_id: opt_id(f.actor_id.as_ref(), "User", "actorId")?,
            kinds: f.kind,
            from: f.occurred_from.map(Into::into),
            to: f.occurred_to.map(Into::into),
            search: f.search,
        };
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        to_connection(ctx, paged, Activity::from)
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Logs an activity on a lead, account or opportunity the caller may see.
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: LogActivityInput,
    ) -> async_graphql::Result<Activity> {
        let actor = actor(ctx)?;
        let n = NewActivity {
            kind: input.kind,
            summary: input.summary,
            occurred_at: input.occurred_at.map(Into::into),
            lead_id: opt_id(input.lead_id.as_ref(), "Lead", "leadId")?,
            account_id: opt_id(input.account_id.as_ref(), "Account", "accountId")?,
            opportunity_id: opt_id(
                input.opportunity_id.as_ref(),
                "Opportunity",
                "opportunityId",
            )?,
        };
        Ok(svc::log(state(ctx)?, actor, n).await?.into())
    }
}
