//! Accounts: types, the scoped list and the mutations.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};
use entity::{
    accounts,
    enums::{Health, Lifecycle},
};
use rust_decimal::Decimal;

use super::{
    activities::Activity,
    connection::{Conn, nested, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    leads::Lead,
    loaders::{load, shared},
    opportunities::Opportunity,
    patch::{patch, patch_with, required},
    territories::Territory,
    users::{OrderDirection, Partner, User},
};
use crate::{
    domain::{GlobalId, money},
    services::accounts::{
        self as svc, AccountFilter, AccountInput, AccountOrder, AccountOrderField,
    },
};

/// A company we sell to. Partner users see only its name, domain, country, industry
/// and their own opportunities on it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Account {
    pub id: ID,
    pub name: String,
    pub domain: String,
    pub industry: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    #[graphql(skip)]
    pub model: accounts::Model,
}

impl From<accounts::Model> for Account {
    fn from(m: accounts::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Account", m.id)),
            name: m.name.clone(),
            domain: m.domain.clone(),
            industry: m.industry.clone(),
            country: m.country.clone(),
            model: m,
        }
    }
}

async fn user(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loaders(ctx)?
        .users
        .load_one(id)
        .await
        .map_err(shared)?
        .map(User::from))
}

#[ComplexObject]
impl Account {
    async fn employee_count(&self) -> Option<i32> {
        self.model.employee_count
    }

    async fn lifecycle(&self) -> Lifecycle {
        self.model.lifecycle
    }

    /// Annual recurring revenue in the reporting currency.
    async fn arr(&self) -> Decimal {
        money::to_decimal(self.model.arr_cents)
    }

    async fn health(&self) -> Option<Health> {
        self.model.health
    }

    async fn contract_end_date(&self) -> Option<chrono::NaiveDate> {
        self.model.contract_end_date
    }

    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.model.created_at
    }

    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.model.territory_id,
            Territory::from,
        )
        .await
    }

    /// The account executive.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.owner_id).await
    }

    async fn account_manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.account_manager_id).await
    }

    /// The customer success manager.
    async fn csm(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.csm_id).await
    }

    /// The partner that sourced the account.
    async fn partner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Partner>> {
        load(
            &loaders(ctx)?.partners,
            self.model.partner_id,
            Partner::from,
        )
        .await
    }

    /// Opportunities on this account that the caller may see.
    async fn opportunities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Opportunity>> {
        nested(
            &loaders(ctx)?.account_opportunities,
            self.model.id,
            first,
            after,
            Opportunity::from,
        )
        .await
    }

    /// Leads converted into this account that the caller may see.
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Lead>> {
        nested(
            &loaders(ctx)?.account_leads,
            self.model.id,
            first,
            after,
            Lead::from,
        )
        .await
    }

    /// Handoffs of this account (or of the lead it came from) the caller may see,
    /// newest first.
    async fn handoffs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<super::handoffs::Handoff>> {
        nested(
            &loaders(ctx)?.account_handoffs,
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
            &loaders(ctx)?.account_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

#[derive(InputObject, Default)]
pub struct AccountFilterInput {
    pub owner_id: Option<ID>,
    /// Accounts in this territory or anywhere below it.
    pub territory_id: Option<ID>,
    pub lifecycle: Option<Lifecycle>,
    /// Case-insensitive text in the name or domain.
    pub search: Option<String>,
}

#[derive(InputObject)]
pub struct AccountOrderInput {
    pub field: AccountOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

#[derive(InputObject)]
pub struct CreateAccountInput {
    pub name: String,
    pub domain: String,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub employee_count: Option<i32>,
    /// Omit to place the account by the territory criteria.
    pub territory_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub account_manager_id: Option<ID>,
    pub csm_id: Option<ID>,
    pub lifecycle: Option<Lifecycle>,
    pub arr: Option<Decimal>,
    pub contract_end_date: Option<chrono::NaiveDate>,
    pub health: Option<Health>,
}

/// Fields left out stay as they are; `clear` lists nullable fields to empty.
/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    pub name: MaybeUndefined<String>,
    pub domain: MaybeUndefined<String>,
    pub industry: MaybeUndefined<String>,
    pub country: MaybeUndefined<String>,
    pub employee_count: MaybeUndefined<i32>,
    pub territory_id: MaybeUndefined<ID>,
    pub owner_id: MaybeUndefined<ID>,
    pub account_manager_id: MaybeUndefined<ID>,
    pub csm_id: MaybeUndefined<ID>,
    pub lifecycle: MaybeUndefined<Lifecycle>,
    pub arr: MaybeUndefined<Decimal>,
    pub contract_end_date: MaybeUndefined<chrono::NaiveDate>,
    pub health: MaybeUndefined<Health>,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Accounts the caller may see.
    #[allow(clippy::too_many_arguments)]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AccountFilterInput>,
        order_by: Option<AccountOrderInput>,
    ) -> async_graphql::Result<Conn<Account>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = AccountFilter {
            owner_id: opt_id(f.owner_id.as_ref(), "User", "ownerId")?,
            territory_id: opt_id(f.territory_id.as_ref(), "Territory", "territoryId")?,
            lifecycle: f.lifecycle,
            search: f.search,
        };
        let order = order_by.map_or_else(AccountOrder::default, |o| AccountOrder {
            field: o.field,
            descending: o.direction == OrderDirection::Desc,
        });
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            order,
            &page_args(first, after, last, before),
        )
        .await?;
        Ok(to_connection(paged, Account::from))
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Account executives (owner by default), account managers, sales managers, directors.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        input: CreateAccountInput,
    ) -> async_graphql::Result<Account> {
        let actor = actor(ctx)?;
        let i = AccountInput {
            name: Some(input.name),
            domain: Some(input.domain),
            industry: input.industry.map(Some),
            country: input.country.map(Some),
            employee_count: input.employee_count.map(Some),
            territory_id: opt_id(input.territory_id.as_ref(), "Territory", "territoryId")?
                .map(Some),
            owner_id: opt_id(input.owner_id.as_ref(), "User", "ownerId")?.map(Some),
            account_manager_id: opt_id(
                input.account_manager_id.as_ref(),
                "User",
                "accountManagerId",
            )?
            .map(Some),
            csm_id: opt_id(input.csm_id.as_ref(), "User", "csmId")?.map(Some),
            lifecycle: input.lifecycle,
            arr_cents: input.arr.map(|a| money::to_cents(a, "arr")).transpose()?,
            contract_end_date: input.contract_end_date.map(Some),
            health: input.health.map(Some),
        };
        Ok(svc::create(state(ctx)?, actor, i).await?.into())
    }

    /// Reassigning owner, account manager, CSM or territory takes a sales manager
    /// (within their team) or a director.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateAccountInput,
    ) -> async_graphql::Result<Account> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Account", "id")?;
        let id_of = |ty: &'static str, field: &'static str| {
            move |raw: ID| GlobalId::decode_as(&raw, ty, field)
        };
        let i = AccountInput {
            name: required(input.name, "name")?,
            domain: required(input.domain, "domain")?,
            industry: patch(input.industry),
            country: patch(input.country),
            employee_count: patch(input.employee_count),
            territory_id: patch_with(input.territory_id, id_of("Territory", "territoryId"))?,
            owner_id: patch_with(input.owner_id, id_of("User", "ownerId"))?,
            account_manager_id: patch_with(
                input.account_manager_id,
                id_of("User", "accountManagerId"),
            )?,
            csm_id: patch_with(input.csm_id, id_of("User", "csmId"))?,
            lifecycle: required(input.lifecycle, "lifecycle")?,
            arr_cents: required(input.arr, "arr")?
                .map(|a| money::to_cents(a, "arr"))
                .transpose()?,
            contract_end_date: patch(input.contract_end_date),
            health: patch(input.health),
        };
        Ok(svc::update(state(ctx)?, actor, id, i).await?.into())
    }
}
