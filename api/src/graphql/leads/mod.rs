//! Leads: types, the scoped list, capture, qualification.

use async_graphql::MaybeUndefined;

use super::patch::{patch, patch_with, required};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{
    enums::{LeadSource, LeadStatus},
    leads,
};
use uuid::Uuid;

use super::{
    accounts::Account,
    activities::Activity,
    connection::{Conn, nested, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::{load, shared},
    territories::Territory,
    users::{OrderDirection, User},
};
use crate::{
    domain::GlobalId,
    services::leads::{self as svc, LeadFilter, LeadInput, LeadOrderField, Qualification as Bant},
};

mod inputs;

pub use inputs::*;

/// A prospective customer an SDR works and qualifies.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Lead {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the company.
    pub company_name: String,
    /// Web domain of the company, normalized (for example `acme.com`).
    pub domain: Option<String>,
    /// Full name of the contact person.
    pub contact_name: String,
    /// Email address of the contact person, when known.
    pub contact_email: Option<String>,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: Option<String>,
    /// Industry, free text as entered (for example `Software`).
    pub industry: Option<String>,
    /// Number of employees, when known.
    pub employee_count: Option<i32>,
    /// Where the lead came from.
    pub source: LeadSource,
    /// Where the lead is in qualification.
    pub status: LeadStatus,
    /// Why it was disqualified; `null` unless disqualified.
    pub disqualify_reason: Option<String>,
    /// When it was created (ISO 8601, UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[graphql(skip)]
    pub model: leads::Model,
}

impl From<leads::Model> for Lead {
    fn from(m: leads::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Lead", m.id)),
            company_name: m.company_name.clone(),
            domain: m.domain.clone(),
            contact_name: m.contact_name.clone(),
            contact_email: m.contact_email.clone(),
            country: m.country.clone(),
            industry: m.industry.clone(),
            employee_count: m.employee_count,
            source: m.source,
            status: m.status,
            disqualify_reason: m.disqualify_reason.clone(),
            created_at: m.created_at,
            model: m,
        }
    }
}

/// One of the four BANT qualification questions.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum BantCriterion {
    /// Is there money for this?
    Budget,
    /// Who decides, and are we talking to them?
    Authority,
    /// What problem do they need solved?
    Need,
    /// When do they intend to buy?
    Timeline,
}

/// One recorded BANT answer: what, who and when.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct BantAnswer {
    /// Which question it answers.
    pub criterion: BantCriterion,
    /// The answer, as written by the rep.
    pub answer: String,
    /// When it was answered (ISO 8601, UTC), when known.
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    #[graphql(skip)]
    pub by: Option<Uuid>,
}

#[ComplexObject]
impl BantAnswer {
    /// Who answered it, when known and visible to the caller.
    async fn answered_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.by else { return Ok(None) };
        Ok(loaders(ctx)?
            .users
            .load_one(id)
            .await
            .map_err(shared)?
            .map(User::from))
    }
}

/// BANT qualification; the lead is `QUALIFIED` once all four are answered.
#[derive(SimpleObject)]
pub struct Qualification {
    /// Answer to the BANT budget question: is there money for this?
    pub budget: Option<String>,
    /// Answer to the BANT authority question: who decides and are we talking to them?
    pub authority: Option<String>,
    /// Answer to the BANT need question: what problem do they need solved?
    pub need: Option<String>,
    /// Answer to the BANT timeline question: when do they intend to buy?
    pub timeline: Option<String>,
    /// Whether all four BANT questions are answered, as a handoff to an AE requires.
    pub complete: bool,
    /// The answers given so far, one per question.
    pub answers: Vec<BantAnswer>,
}

#[ComplexObject]
impl Lead {
    /// The SDR working the lead; none while unassigned.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.owner_id, User::from).await
    }

    /// The territory the lead lies in, when the caller may see it.
    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.model.territory_id,
            Territory::from,
        )
        .await
    }

    /// The account the lead converted into.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        load(
            &loaders(ctx)?.accounts,
            self.model.account_id,
            Account::from,
        )
        .await
    }

    /// The BANT answers so far and whether they are complete.
    async fn qualification(&self) -> Qualification {
        let m = &self.model;
        let answers: Vec<BantAnswer> = [
            (
                BantCriterion::Budget,
                &m.budget,
                m.budget_by_id,
                m.budget_at,
            ),
            (
                BantCriterion::Authority,
                &m.authority,
                m.authority_by_id,
                m.authority_at,
            ),
            (BantCriterion::Need, &m.need, m.need_by_id, m.need_at),
            (
                BantCriterion::Timeline,
                &m.timeline,
                m.timeline_by_id,
                m.timeline_at,
            ),
        ]
        .into_iter()
        .filter_map(|(criterion, answer, by, at)| {
            answer.clone().map(|answer| BantAnswer {
                criterion,
                answer,
                answered_at: at,
                by,
            })
        })
        .collect();
        Qualification {
            budget: m.budget.clone(),
            authority: m.authority.clone(),
            need: m.need.clone(),
            timeline: m.timeline.clone(),
            complete: answers.len() == 4,
            answers,
        }
    }

    /// Handoffs of this lead the caller may see, newest first.
    async fn handoffs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (an edge's `cursor`).")] after: Option<String>,
    ) -> async_graphql::Result<Conn<super::handoffs::Handoff>> {
        nested(
            ctx,
            &loaders(ctx)?.lead_handoffs,
            self.model.id,
            first,
            after,
            super::handoffs::Handoff::from,
        )
        .await
    }

    /// Activities logged on this lead that the caller may see.
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Activity>> {
        nested(
            ctx,
            &loaders(ctx)?.lead_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// Leads the caller may see.
    #[allow(clippy::too_many_arguments)]
    async fn leads(
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
        filter: Option<LeadFilterInput>,
        #[graphql(desc = "Sort order; omitted, the list's default order.")] order_by: Option<
            LeadOrderInput,
        >,
    ) -> async_graphql::Result<Conn<Lead>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = LeadFilter {
            owner_id: opt_id(f.owner_id.as_ref(), "User", "ownerId")?,
            unowned: f.unowned,
            territory_id: opt_id(f.territory_id.as_ref(), "Territory", "territoryId")?,
            status: f.status,
            search: f.search,
        };
        let order = order_by.map_or((LeadOrderField::CreatedAt, true), |o| {
            (o.field, o.direction == OrderDirection::Desc)
        });
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            order,
            &page_args(first, after, last, before),
        )
        .await?;
        to_connection(ctx, paged, Lead::from)
    }
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Creates a lead; an SDR or account executive creating it becomes its owner.
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: CreateLeadInput,
    ) -> async_graphql::Result<Lead> {
        let actor = actor(ctx)?;
        let i = LeadInput {
            company_name: Some(input.company_name),
            domain: input.domain.map(Some),
            contact_name: Some(input.contact_name),
            contact_email: input.contact_email.map(Some),
            country: input.country.map(Some),
            industry: input.industry.map(Some),
            employee_count: input.employee_count.map(Some),
            source: Some(input.source),
            status: None,
            owner_id: opt_id(input.owner_id.as_ref(), "User", "ownerId")?.map(Some),
            territory_id: opt_id(input.territory_id.as_ref(), "Territory", "territoryId")?
                .map(Some),
        };
        Ok(svc::create(state(ctx)?, actor, i).await?.into())
    }

    /// Changes a lead the caller may edit.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the lead.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: UpdateLeadInput,
    ) -> async_graphql::Result<Lead> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Lead", "id")?;
        let i = LeadInput {
            company_name: required(input.company_name, "companyName")?,
            domain: patch(input.domain),
            contact_name: required(input.contact_name, "contactName")?,
            contact_email: patch(input.contact_email),
            country: patch(input.country),
            industry: patch(input.industry),
            employee_count: patch(input.employee_count),
            source: required(input.source, "source")?,
            status: required(input.status, "status")?,
            owner_id: patch_with(input.owner_id, |raw| {
                GlobalId::decode_as(&raw, "User", "ownerId")
            })?,
            territory_id: patch_with(input.territory_id, |raw| {
                GlobalId::decode_as(&raw, "Territory", "territoryId")
            })?,
        };
        Ok(svc::update(state(ctx)?, actor, id, i).await?.into())
    }

    /// Records BANT answers; the lead becomes `QUALIFIED` when all four are answered.
    async fn qualify_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the lead.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: QualifyLeadInput,
    ) -> async_graphql::Result<Lead> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Lead", "id")?;
        let q = Bant {
            budget: input.budget,
            authority: input.authority,
            need: input.need,
            timeline: input.timeline,
        };
        Ok(svc::qualify(state(ctx)?, actor, id, q).await?.into())
    }

    /// A reason is required.
    async fn disqualify_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the lead.")] id: ID,
        #[graphql(desc = "Why the lead is not worth pursuing; shown on the lead.")] reason: String,
    ) -> async_graphql::Result<Lead> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Lead", "id")?;
        Ok(svc::disqualify(state(ctx)?, actor, id, &reason)
            .await?
            .into())
    }
}
