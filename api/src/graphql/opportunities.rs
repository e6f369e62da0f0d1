//! Opportunities: types (partner-safe fields marked), the scoped list, mutations.

use async_graphql::MaybeUndefined;

use super::patch::required;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{
    enums::{ForecastCategory, OpportunityType, Stage},
    opportunities,
};
use rust_decimal::Decimal;

use super::{
    accounts::Account,
    activities::Activity,
    connection::{Conn, nested, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::{load, shared},
    territories::Territory,
    users::{OrderDirection, Partner, User},
};
use crate::{
    domain::{GlobalId, money},
    services::opportunities::{
        self as svc, Close, NewOpportunity, OpportunityChanges, OpportunityFilter,
        OpportunityOrderField,
    },
};

/// A deal in progress or closed. Partner users see its name, stage, amount, close date
/// and the AE's name on the deals their organization registered.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Opportunity {
    pub id: ID,
    pub name: String,
    pub stage: Stage,
    pub close_date: chrono::NaiveDate,
    #[graphql(skip)]
    pub model: opportunities::Model,
}

impl From<opportunities::Model> for Opportunity {
    fn from(m: opportunities::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Opportunity", m.id)),
            name: m.name.clone(),
            stage: m.stage,
            close_date: m.close_date,
            model: m,
        }
    }
}

#[ComplexObject]
impl Opportunity {
    /// In the reporting currency.
    async fn amount(&self) -> Decimal {
        money::to_decimal(self.model.amount_cents)
    }

    /// The owner's name; partner users see it on their own deals.
    async fn owner_name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(loaders(ctx)?
            .user_names
            .load_one(self.model.owner_id)
            .await
            .map_err(shared)?)
    }

    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        Ok(loaders(ctx)?
            .accounts
            .load_one(self.model.account_id)
            .await
            .map_err(shared)?
            .map(Account::from))
    }

    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .users
            .load_one(self.model.owner_id)
            .await
            .map_err(shared)?
            .map(User::from))
    }

    /// The territory credited, fixed when the opportunity was created.
    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.model.territory_id,
            Territory::from,
        )
        .await
    }

    async fn r#type(&self) -> OpportunityType {
        self.model.opportunity_type
    }

    async fn probability(&self) -> i32 {
        self.model.probability
    }

    async fn forecast_category(&self) -> ForecastCategory {
        self.model.forecast_category
    }

    /// The SDR who sourced it.
    async fn sourced_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        load(&loaders(ctx)?.users, self.model.sourced_by_id, User::from).await
    }

    /// The partner that registered it.
    async fn partner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Partner>> {
        load(
            &loaders(ctx)?.partners,
            self.model.partner_id,
            Partner::from,
        )
        .await
    }

    async fn lost_reason(&self) -> Option<String> {
        self.model.lost_reason.clone()
    }

    /// Send it back with updates: a stale version is refused with `CONFLICT`.
    async fn version(&self) -> i32 {
        self.model.version
    }

    async fn closed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.model.closed_at
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.model.created_at
    }

    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Activity>> {
        nested(
            &loaders(ctx)?.opportunity_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

#[derive(InputObject, Default)]
pub struct OpportunityFilterInput {
    pub owner_id: Option<ID>,
    pub account_id: Option<ID>,
    /// Opportunities credited to this territory or below it.
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub stage: Vec<Stage>,
    #[graphql(default)]
    pub r#type: Vec<OpportunityType>,
    pub close_date_from: Option<chrono::NaiveDate>,
    pub close_date_to: Option<chrono::NaiveDate>,
    pub amount_min: Option<Decimal>,
    pub amount_max: Option<Decimal>,
    /// Case-insensitive text in the name.
    pub search: Option<String>,
}

#[derive(InputObject)]
pub struct OpportunityOrderInput {
    pub field: OpportunityOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

#[derive(InputObject)]
pub struct CreateOpportunityInput {
    pub account_id: ID,
    pub name: String,
    pub r#type: OpportunityType,
    /// An open stage; `PROSPECTING` when omitted.
    pub stage: Option<Stage>,
    pub amount: Decimal,
    pub close_date: chrono::NaiveDate,
    /// Defaults from the stage; open opportunities may use 1–99.
    pub probability: Option<i32>,
    pub forecast_category: Option<ForecastCategory>,
    /// Defaults to the caller; someone else takes a sales manager or director.
    pub owner_id: Option<ID>,
    pub sourced_by_id: Option<ID>,
}

/// Omit a field to leave it unchanged; none of these may be cleared (`null` is refused).
#[derive(InputObject)]
pub struct UpdateOpportunityInput {
    pub name: MaybeUndefined<String>,
    /// An open stage (close with `closeOpportunity`).
    pub stage: MaybeUndefined<Stage>,
    pub amount: MaybeUndefined<Decimal>,
    pub close_date: MaybeUndefined<chrono::NaiveDate>,
    pub probability: MaybeUndefined<i32>,
    pub forecast_category: MaybeUndefined<ForecastCategory>,
    pub owner_id: MaybeUndefined<ID>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CloseOutcome {
    Won,
    Lost,
}

#[derive(InputObject)]
pub struct CloseOpportunityInput {
    pub outcome: CloseOutcome,
    /// Required when lost.
    pub lost_reason: Option<String>,
    /// The final amount, when it differs.
    pub amount: Option<Decimal>,
    /// Today when omitted.
    pub close_date: Option<chrono::NaiveDate>,
}

fn cents(v: Option<Decimal>, field: &str) -> async_graphql::Result<Option<i64>> {
    Ok(v.map(|a| money::to_cents(a, field)).transpose()?)
}

#[derive(Default)]
pub struct OpportunityQuery;

#[Object]
impl OpportunityQuery {
    /// Opportunities the caller may see.
    #[allow(clippy::too_many_arguments)]
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OpportunityFilterInput>,
        order_by: Option<OpportunityOrderInput>,
    ) -> async_graphql::Result<Conn<Opportunity>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = OpportunityFilter {
            owner_id: opt_id(f.owner_id.as_ref(), "User", "ownerId")?,
            account_id: opt_id(f.account_id.as_ref(), "Account", "accountId")?,
            territory_id: opt_id(f.territory_id.as_ref(), "Territory", "territoryId")?,
            stages: f.stage,
            types: f.r#type,
            close_from: f.close_date_from,
            close_to: f.close_date_to,
            amount_min: cents(f.amount_min, "amountMin")?,
            amount_max: cents(f.amount_max, "amountMax")?,
            search: f.search,
        };
        let order = order_by.map_or((OpportunityOrderField::CloseDate, false), |o| {
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
        Ok(to_connection(paged, Opportunity::from))
    }
}

#[derive(Default)]
pub struct OpportunityMutation;

#[Object]
impl OpportunityMutation {
    /// On an account the caller may see; the credited territory is the account's, fixed now.
    async fn create_opportunity(
        &self,
        ctx: &Context<'_>,
        input: CreateOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let n = NewOpportunity {
            account_id: GlobalId::decode_as(&input.account_id, "Account", "accountId")?,
            name: input.name,
            opportunity_type: input.r#type,
            stage: input.stage,
            amount_cents: money::to_cents(input.amount, "amount")?,
            close_date: input.close_date,
            probability: input.probability,
            forecast_category: input.forecast_category,
            owner_id: opt_id(input.owner_id.as_ref(), "User", "ownerId")?,
            sourced_by_id: opt_id(input.sourced_by_id.as_ref(), "User", "sourcedById")?,
        };
        Ok(svc::create(state(ctx)?, actor, n).await?.into())
    }

    /// `version` must be the one you read; otherwise `CONFLICT`.
    async fn update_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: UpdateOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Opportunity", "id")?;
        let c = OpportunityChanges {
            name: required(input.name, "name")?,
            stage: required(input.stage, "stage")?,
            amount_cents: cents(required(input.amount, "amount")?, "amount")?,
            close_date: required(input.close_date, "closeDate")?,
            probability: required(input.probability, "probability")?,
            forecast_category: required(input.forecast_category, "forecastCategory")?,
            owner_id: opt_id(
                required(input.owner_id, "ownerId")?.as_ref(),
                "User",
                "ownerId",
            )?,
        };
        Ok(svc::update(state(ctx)?, actor, id, version, c)
            .await?
            .into())
    }

    /// Won or lost (a lost one needs a reason). Closed opportunities are not reopened.
    async fn close_opportunity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: CloseOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Opportunity", "id")?;
        let c = Close {
            won: input.outcome == CloseOutcome::Won,
            lost_reason: input.lost_reason,
            amount_cents: cents(input.amount, "amount")?,
            close_date: input.close_date,
        };
        Ok(svc::close(state(ctx)?, actor, id, version, c).await?.into())
    }
}
