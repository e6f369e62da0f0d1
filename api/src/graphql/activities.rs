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

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Activity {
    pub id: ID,
    pub kind: ActivityKind,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub summary: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[graphql(skip)]
    pub model: activities::Model,
}

impl From<activities::Model> for Activity {
    fn from(m: activities::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Activity", m.id)),
            kind: m.kind,
            occurred_at: m.occurred_at,
            summary: m.summary.clone(),
            created_at: m.created_at,
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

    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Lead>> {
        load(&loaders(ctx)?.leads, self.model.lead_id, Lead::from).await
    }

    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        load(
            &loaders(ctx)?.accounts,
            self.model.account_id,
            Account::from,
        )
        .await
    }

    async fn opportunity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Opportunity>> {
        load(
            &loaders(ctx)?.opportunities,
            self.model.opportunity_id,
            Opportunity::from,
        )
        .await
    }
}

#[derive(InputObject, Default)]
pub struct ActivityFilterInput {
    pub lead_id: Option<ID>,
    pub account_id: Option<ID>,
    pub opportunity_id: Option<ID>,
    /// Who logged it.
    pub actor_id: Option<ID>,
    #[graphql(default)]
    pub kind: Vec<ActivityKind>,
    pub occurred_from: Option<chrono::DateTime<chrono::Utc>>,
    pub occurred_to: Option<chrono::DateTime<chrono::Utc>>,
    pub search: Option<String>,
}

/// Exactly one of `leadId`, `accountId`, `opportunityId`.
#[derive(InputObject)]
pub struct LogActivityInput {
    pub kind: ActivityKind,
    pub summary: String,
    /// Now when omitted.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    pub lead_id: Option<ID>,
    pub account_id: Option<ID>,
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
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
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
            from: f.occurred_from,
            to: f.occurred_to,
            search: f.search,
        };
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        Ok(to_connection(paged, Activity::from))
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    async fn log_activity(
        &self,
        ctx: &Context<'_>,
        input: LogActivityInput,
    ) -> async_graphql::Result<Activity> {
        let actor = actor(ctx)?;
        let n = NewActivity {
            kind: input.kind,
            summary: input.summary,
            occurred_at: input.occurred_at,
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
