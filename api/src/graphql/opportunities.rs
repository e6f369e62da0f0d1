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
    connection::{Conn, nested, page_args, reads_owner, to_connection_in},
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
    services::page::PageArgs,
};

/// A deal in progress or closed. Partner users see its name, stage, amount, close date
/// and the AE's name on the deals their organization registered.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Opportunity {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the deal.
    pub name: String,
    /// Current sales stage.
    pub stage: Stage,
    /// Expected close date while open; the day it closed once closed (ISO 8601 date, `YYYY-MM-DD`).
    pub close_date: super::scalars::Date,
    #[graphql(skip)]
    pub model: opportunities::Model,
}

impl From<opportunities::Model> for Opportunity {
    fn from(m: opportunities::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Opportunity", m.id)),
            name: m.name.clone(),
            stage: m.stage,
            close_date: m.close_date.into(),
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

    /// The account the deal is with, when the caller may see it.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Account>> {
        Ok(loaders(ctx)?
            .accounts
            .load_one(self.model.account_id)
            .await
            .map_err(shared)?
            .map(Account::from))
    }

    /// The user who owns the deal, when the caller may see that user.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(loaders(ctx)?
            .user(Some(self.model.owner_id))
            .await?
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

    /// New business, expansion or renewal.
    async fn r#type(&self) -> OpportunityType {
        self.model.opportunity_type
    }

    /// Likelihood to close as won, in percent (0–100); 100 when won, 0 when lost.
    async fn probability(&self) -> i32 {
        self.model.probability
    }

    /// The forecast bucket this opportunity counts in.
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

    /// Why it was lost; `null` unless lost.
    async fn lost_reason(&self) -> Option<String> {
        self.model.lost_reason.clone()
    }

    /// Send it back with updates: a stale version is refused with `CONFLICT`.
    async fn version(&self) -> i32 {
        self.model.version
    }

    /// When it was closed (ISO 8601, UTC); `null` while open.
    async fn closed_at(&self) -> Option<super::scalars::DateTime> {
        self.model.closed_at.map(Into::into)
    }

    /// When it was created (ISO 8601, UTC).
    async fn created_at(&self) -> super::scalars::DateTime {
        self.model.created_at.into()
    }

    /// Activities logged on this opportunity that the caller may see.
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
            &loaders(ctx)?.opportunity_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

/// Narrows the opportunity list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct OpportunityFilterInput {
    /// Only opportunities owned by this user (global id).
    pub owner_id: Option<ID>,
    /// Only opportunities on this account (global id).
    pub account_id: Option<ID>,
    /// Opportunities credited to this territory or below it.
    pub territory_id: Option<ID>,
    /// Only opportunities in these stages; empty or omitted, every stage.
    #[graphql(default)]
    pub stage: Vec<Stage>,
    /// Only opportunities of these kinds; empty or omitted, every kind.
    #[graphql(default)]
    pub r#type: Vec<OpportunityType>,
    /// Only opportunities closing on or after this date (ISO 8601 date).
    pub close_date_from: Option<super::scalars::Date>,
    /// Only opportunities closing on or before this date (ISO 8601 date).
    pub close_date_to: Option<super::scalars::Date>,
    /// Only opportunities of at least this amount (decimal string, reporting currency).
    pub amount_min: Option<Decimal>,
    /// Only opportunities of at most this amount (decimal string, reporting currency).
    pub amount_max: Option<Decimal>,
    /// Case-insensitive text in the name.
    pub search: Option<String>,
}

/// How to sort opportunities.
#[derive(InputObject)]
pub struct OpportunityOrderInput {
    /// The field to sort by.
    pub field: OpportunityOrderField,
    /// Ascending or descending; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new opportunity on an account.
#[derive(InputObject)]
pub struct CreateOpportunityInput {
    /// The account the deal is with (global id).
    pub account_id: ID,
    /// Name of the deal.
    pub name: String,
    /// New business, expansion or renewal.
    pub r#type: OpportunityType,
    /// An open stage; `PROSPECTING` when omitted.
    pub stage: Option<Stage>,
    /// Expected amount: a decimal string in the reporting currency (for example `"25000.00"`).
    pub amount: Decimal,
    /// Expected close date (ISO 8601 date, `YYYY-MM-DD`).
    pub close_date: super::scalars::Date,
    /// Defaults from the stage; open opportunities may use 1–99.
    pub probability: Option<i32>,
    /// Forecast bucket; derived from the stage when omitted.
    pub forecast_category: Option<ForecastCategory>,
    /// Defaults to the caller; someone else takes a sales manager or director.
    pub owner_id: Option<ID>,
    /// The SDR who sourced it (global id), when any.
    pub sourced_by_id: Option<ID>,
}

/// Omit a field to leave it unchanged; none of these may be cleared (`null` is refused).
#[derive(InputObject)]
pub struct UpdateOpportunityInput {
    /// New name.
    pub name: MaybeUndefined<String>,
    /// An open stage (close with `closeOpportunity`).
    pub stage: MaybeUndefined<Stage>,
    /// New expected amount: a decimal string in the reporting currency.
    pub amount: MaybeUndefined<Decimal>,
    /// New expected close date (ISO 8601 date).
    pub close_date: MaybeUndefined<super::scalars::Date>,
    /// New probability in percent; open opportunities may use 1–99.
    pub probability: MaybeUndefined<i32>,
    /// New forecast bucket.
    pub forecast_category: MaybeUndefined<ForecastCategory>,
    /// New owner (global id); someone other than the caller takes a sales manager or director.
    pub owner_id: MaybeUndefined<ID>,
}

/// How an opportunity ends.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum CloseOutcome {
    /// The customer bought: stage `CLOSED_WON`.
    Won,
    /// The deal is lost: stage `CLOSED_LOST`; needs a reason.
    Lost,
}

/// How an opportunity was closed.
#[derive(InputObject)]
pub struct CloseOpportunityInput {
    /// Won or lost.
    pub outcome: CloseOutcome,
    /// Required when lost.
    pub lost_reason: Option<String>,
    /// The final amount, when it differs.
    pub amount: Option<Decimal>,
    /// Today when omitted.
    pub close_date: Option<super::scalars::Date>,
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
        filter: Option<OpportunityFilterInput>,
        #[graphql(desc = "Sort order; omitted, the list's default order.")] order_by: Option<
            OpportunityOrderInput,
        >,
    ) -> async_graphql::Result<Conn<Opportunity>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = OpportunityFilter {
            owner_id: opt_id(f.owner_id.as_ref(), "User", "ownerId")?,
            account_id: opt_id(f.account_id.as_ref(), "Account", "accountId")?,
            territory_id: opt_id(f.territory_id.as_ref(), "Territory", "territoryId")?,
            stages: f.stage,
            types: f.r#type,
            close_from: f.close_date_from.map(Into::into),
            close_to: f.close_date_to.map(Into::into),
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
            &PageArgs {
                owners: reads_owner(ctx),
                columns: super::projection::wanted(ctx, super::projection::OPPORTUNITY),
                ..page_args(first, after, last, before)
            },
        )
        .await?;
        to_connection_in(ctx, paged, Opportunity::from)
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
        #[graphql(desc = "The values to submit.")] input: CreateOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let n = NewOpportunity {
            account_id: GlobalId::decode_as(&input.account_id, "Account", "accountId")?,
            name: input.name,
            opportunity_type: input.r#type,
            stage: input.stage,
            amount_cents: money::to_cents(input.amount, "amount")?,
            close_date: input.close_date.into(),
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
        #[graphql(desc = "Global id of the opportunity.")] id: ID,
        #[graphql(
            desc = "The `version` you last read; if the record changed since, the call fails with `CONFLICT`."
        )]
        version: i32,
        #[graphql(desc = "The values to submit.")] input: UpdateOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Opportunity", "id")?;
        let c = OpportunityChanges {
            name: required(input.name, "name")?,
            stage: required(input.stage, "stage")?,
            amount_cents: cents(required(input.amount, "amount")?, "amount")?,
            close_date: required(input.close_date, "closeDate")?.map(Into::into),
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
        #[graphql(desc = "Global id of the opportunity.")] id: ID,
        #[graphql(
            desc = "The `version` you last read; if the record changed since, the call fails with `CONFLICT`."
        )]
        version: i32,
        #[graphql(desc = "The values to submit.")] input: CloseOpportunityInput,
    ) -> async_graphql::Result<Opportunity> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Opportunity", "id")?;
        let c = Close {
            won: input.outcome == CloseOutcome::Won,
            lost_reason: input.lost_reason,
            amount_cents: cents(input.amount, "amount")?,
            close_date: input.close_date.map(Into::into),
        };
        Ok(svc::close(state(ctx)?, actor, id, version, c).await?.into())
    }
}
