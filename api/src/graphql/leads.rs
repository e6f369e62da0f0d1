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

/// A prospective customer an SDR works and qualifies.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Lead {
    pub id: ID,
    pub company_name: String,
    pub domain: Option<String>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub country: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub source: LeadSource,
    pub status: LeadStatus,
    pub disqualify_reason: Option<String>,
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

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum BantCriterion {
    Budget,
    Authority,
    Need,
    Timeline,
}

/// One recorded BANT answer: what, who and when.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct BantAnswer {
    pub criterion: BantCriterion,
    pub answer: String,
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    #[graphql(skip)]
    pub by: Option<Uuid>,
}

#[ComplexObject]
impl BantAnswer {
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
    pub budget: Option<String>,
    pub authority: Option<String>,
    pub need: Option<String>,
    pub timeline: Option<String>,
    pub complete: bool,
    pub answers: Vec<BantAnswer>,
}

#[ComplexObject]
impl Lead {
    /// The SDR working the lead; none while unassigned.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.owner_id, User::from).await
    }

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
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<super::handoffs::Handoff>> {
        nested(
            &loaders(ctx)?.lead_handoffs,
            self.model.id,
            first,
            after,
            super::handoffs::Handoff::from,
        )
        .await
    }

    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Activity>> {
        nested(
            &loaders(ctx)?.lead_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

#[derive(InputObject, Default)]
pub struct LeadFilterInput {
    pub owner_id: Option<ID>,
    /// Only leads nobody owns yet.
    #[graphql(default)]
    pub unowned: bool,
    /// Leads in this territory or below it.
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub status: Vec<LeadStatus>,
    /// Case-insensitive text in the company or contact name.
    pub search: Option<String>,
}

#[derive(InputObject)]
pub struct LeadOrderInput {
    pub field: LeadOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

#[derive(InputObject)]
pub struct CreateLeadInput {
    pub company_name: String,
    pub domain: Option<String>,
    pub contact_name: String,
    pub contact_email: Option<String>,
    pub country: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    #[graphql(default_with = "LeadSource::Inbound")]
    pub source: LeadSource,
    /// Defaults to the creating SDR.
    pub owner_id: Option<ID>,
    /// Omit to place the lead by the territory criteria.
    pub territory_id: Option<ID>,
}

/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    pub company_name: MaybeUndefined<String>,
    pub domain: MaybeUndefined<String>,
    pub contact_name: MaybeUndefined<String>,
    pub contact_email: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub employee_count: MaybeUndefined<i32>,
    pub source: MaybeUndefined<LeadSource>,
    /// `NEW` or `WORKING` (reopening a disqualified lead); other statuses have their own mutations.
    pub status: MaybeUndefined<LeadStatus>,
    /// `null` returns the lead to the pool of its territory.
    pub owner_id: MaybeUndefined<ID>,
    pub territory_id: MaybeUndefined<ID>,
}

#[derive(InputObject, Default)]
pub struct QualifyLeadInput {
    pub budget: Option<String>,
    pub authority: Option<String>,
    pub need: Option<String>,
    pub timeline: Option<String>,
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
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<LeadFilterInput>,
        order_by: Option<LeadOrderInput>,
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
        Ok(to_connection(paged, Lead::from))
    }
}

#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadInput,
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

    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLeadInput,
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
        id: ID,
        input: QualifyLeadInput,
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
        id: ID,
        reason: String,
    ) -> async_graphql::Result<Lead> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Lead", "id")?;
        Ok(svc::disqualify(state(ctx)?, actor, id, &reason)
            .await?
            .into())
    }
}
