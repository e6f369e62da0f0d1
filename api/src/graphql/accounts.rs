//! Accounts: types, the scoped list and the mutations.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::{
    accounts,
    enums::{Health, Lifecycle},
};
use rust_decimal::Decimal;

use super::{
    activities::Activity,
    connection::{Conn, nested, page_args, to_connection},
    context::{InternalOnly, actor, loaders, opt_id, state},
    leads::Lead,
    loaders::{load, shared},
    opportunities::Opportunity,
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
    #[graphql(guard = "InternalOnly")]
    async fn employee_count(&self) -> Option<i32> {
        self.model.employee_count
    }

    #[graphql(guard = "InternalOnly")]
    async fn lifecycle(&self) -> Lifecycle {
        self.model.lifecycle
    }

    /// Annual recurring revenue in the reporting currency.
    #[graphql(guard = "InternalOnly")]
    async fn arr(&self) -> Decimal {
        money::to_decimal(self.model.arr_cents)
    }

    #[graphql(guard = "InternalOnly")]
    async fn health(&self) -> Option<Health> {
        self.model.health
    }

    #[graphql(guard = "InternalOnly")]
    async fn contract_end_date(&self) -> Option<chrono::NaiveDate> {
        self.model.contract_end_date
    }

    #[graphql(guard = "InternalOnly")]
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.model.created_at
    }

    #[graphql(guard = "InternalOnly")]
    async fn territory(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        load(
            &loaders(ctx)?.territories,
            self.model.territory_id,
            Territory::from,
        )
        .await
    }

    /// The account executive.
    #[graphql(guard = "InternalOnly")]
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.owner_id).await
    }

    #[graphql(guard = "InternalOnly")]
    async fn account_manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.account_manager_id).await
    }

    /// The customer success manager.
    #[graphql(guard = "InternalOnly")]
    async fn csm(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.model.csm_id).await
    }

    /// The partner that sourced the account.
    #[graphql(guard = "InternalOnly")]
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
    #[graphql(guard = "InternalOnly")]
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
    #[graphql(guard = "InternalOnly")]
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

    #[graphql(guard = "InternalOnly")]
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
#[derive(InputObject)]
pub struct UpdateAccountInput {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub employee_count: Option<i32>,
    pub territory_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub account_manager_id: Option<ID>,
    pub csm_id: Option<ID>,
    pub lifecycle: Option<Lifecycle>,
    pub arr: Option<Decimal>,
    pub contract_end_date: Option<chrono::NaiveDate>,
    pub health: Option<Health>,
    #[graphql(default)]
    pub clear: Vec<AccountClearable>,
}

#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum AccountClearable {
    Industry,
    Country,
    EmployeeCount,
    Territory,
    Owner,
    AccountManager,
    Csm,
    ContractEndDate,
    Health,
}

/// `Some(Some(v))` to set, `Some(None)` to clear, `None` to leave alone.
fn change<T>(value: Option<T>, cleared: bool) -> Option<Option<T>> {
    if cleared { Some(None) } else { value.map(Some) }
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
        let c = |f: AccountClearable| input.clear.contains(&f);
        let i = AccountInput {
            name: input.name.clone(),
            domain: input.domain.clone(),
            industry: change(input.industry.clone(), c(AccountClearable::Industry)),
            country: change(input.country.clone(), c(AccountClearable::Country)),
            employee_count: change(input.employee_count, c(AccountClearable::EmployeeCount)),
            territory_id: change(
                opt_id(input.territory_id.as_ref(), "Territory", "territoryId")?,
                c(AccountClearable::Territory),
            ),
            owner_id: change(
                opt_id(input.owner_id.as_ref(), "User", "ownerId")?,
                c(AccountClearable::Owner),
            ),
            account_manager_id: change(
                opt_id(
                    input.account_manager_id.as_ref(),
                    "User",
                    "accountManagerId",
                )?,
                c(AccountClearable::AccountManager),
            ),
            csm_id: change(
                opt_id(input.csm_id.as_ref(), "User", "csmId")?,
                c(AccountClearable::Csm),
            ),
            lifecycle: input.lifecycle,
            arr_cents: input.arr.map(|a| money::to_cents(a, "arr")).transpose()?,
            contract_end_date: change(
                input.contract_end_date,
                c(AccountClearable::ContractEndDate),
            ),
            health: change(input.health, c(AccountClearable::Health)),
        };
        Ok(svc::update(state(ctx)?, actor, id, i).await?.into())
    }
}
