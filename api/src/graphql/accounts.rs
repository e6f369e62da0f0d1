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
    connection::{Conn, nested, page_args, reads_owner, to_connection_in},
    context::{actor, loaders, opt_id, state},
    leads::Lead,
    loaders::load,
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
    services::page::PageArgs,
};

/// A company we sell to. Partner users see only its name, domain, country, industry
/// and their own opportunities on it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Account {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the company.
    pub name: String,
    /// Web domain of the company, normalized (for example `acme.com`).
    pub domain: String,
    /// Industry, free text as entered (for example `Software`).
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
    Ok(loaders(ctx)?.user(id).await?.map(User::from))
}

#[ComplexObject]
impl Account {
    /// Number of employees, when known.
    async fn employee_count(&self) -> Option<i32> {
        self.model.employee_count
    }

    /// Where the account is in its life with us.
    async fn lifecycle(&self) -> Lifecycle {
        self.model.lifecycle
    }

    /// Annual recurring revenue in the reporting currency.
    async fn arr(&self) -> Decimal {
        money::to_decimal(self.model.arr_cents)
    }

    /// Customer health bucket, usually set by customer success.
    async fn health(&self) -> Option<Health> {
        self.model.health
    }

    /// When the current contract ends (ISO 8601 date, `YYYY-MM-DD`).
    async fn contract_end_date(&self) -> Option<super::scalars::Date> {
        self.model.contract_end_date.map(Into::into)
    }

    /// When it was created (ISO 8601, UTC).
    async fn created_at(&self) -> super::scalars::DateTime {
        self.model.created_at.into()
    }

    /// The territory the account lies in, when the caller may see it.
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

    /// The account manager, who grows the customer after the first sale.
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
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Opportunity>> {
        nested(
            ctx,
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
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Lead>> {
        nested(
            ctx,
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
        #[graphql(desc = "Page size: 20 when omitted, at most 100.")] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor (an edge's `cursor`).")] after: Option<String>,
    ) -> async_graphql::Result<Conn<super::handoffs::Handoff>> {
        nested(
            ctx,
            &loaders(ctx)?.account_handoffs,
            self.model.id,
            first,
            after,
            super::handoffs::Handoff::from,
        )
        .await
    }

    /// Activities logged on this account that the caller may see.
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
            &loaders(ctx)?.account_activities,
            self.model.id,
            first,
            after,
            Activity::from,
        )
        .await
    }
}

/// Narrows the account list; all conditions must hold.
#[derive(InputObject, Default)]
pub struct AccountFilterInput {
    /// Only accounts owned by this user (global id).
    pub owner_id: Option<ID>,
    /// Accounts in this territory or anywhere below it.
    pub territory_id: Option<ID>,
    /// Only accounts in this lifecycle stage.
    pub lifecycle: Option<Lifecycle>,
    /// Case-insensitive text in the name or domain.
    pub search: Option<String>,
}

/// How to sort accounts.
#[derive(InputObject)]
pub struct AccountOrderInput {
    /// The field to sort by.
    pub field: AccountOrderField,
    /// Ascending or descending; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new account.
#[derive(InputObject)]
pub struct CreateAccountInput {
    /// Name of the company.
    pub name: String,
    /// Web domain of the company (for example `acme.com`); unique across accounts.
    pub domain: String,
    /// Industry, free text as entered (for example `Software`).
    pub industry: Option<String>,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: Option<String>,
    /// Number of employees, when known.
    pub employee_count: Option<i32>,
    /// Omit to place the account by the territory criteria.
    pub territory_id: Option<ID>,
    /// The user who owns the account (global id); the caller when omitted, if their role
    /// owns accounts.
    pub owner_id: Option<ID>,
    /// Global id of the account manager (a user with role `ACCOUNT_MANAGER`).
    pub account_manager_id: Option<ID>,
    /// Global id of the customer success manager (a user with role `CUSTOMER_SUCCESS`).
    pub csm_id: Option<ID>,
    /// Lifecycle stage; `PROSPECT` when omitted.
    pub lifecycle: Option<Lifecycle>,
    /// Annual recurring revenue: a decimal string in the reporting currency; 0 when omitted.
    pub arr: Option<Decimal>,
    /// When the current contract ends (ISO 8601 date, `YYYY-MM-DD`).
    pub contract_end_date: Option<super::scalars::Date>,
    /// Customer health bucket, usually set by customer success.
    pub health: Option<Health>,
}

/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateAccountInput {
    /// New name; `null` is refused.
    pub name: MaybeUndefined<String>,
    /// New web domain; `null` is refused.
    pub domain: MaybeUndefined<String>,
    /// Industry, free text as entered (for example `Software`).
    pub industry: MaybeUndefined<String>,
    /// Country, as an ISO 3166-1 alpha-2 code (for example `DE`).
    pub country: MaybeUndefined<String>,
    /// Number of employees, when known.
    pub employee_count: MaybeUndefined<i32>,
    /// Move the account to this territory (global id); `null` removes it from any territory.
    pub territory_id: MaybeUndefined<ID>,
    /// New owner (global id); `null` leaves it without an owner.
    pub owner_id: MaybeUndefined<ID>,
    /// Global id of the account manager (a user with role `ACCOUNT_MANAGER`).
    pub account_manager_id: MaybeUndefined<ID>,
    /// Global id of the customer success manager (a user with role `CUSTOMER_SUCCESS`).
    pub csm_id: MaybeUndefined<ID>,
    /// New lifecycle stage; `null` is refused.
    pub lifecycle: MaybeUndefined<Lifecycle>,
    /// New annual recurring revenue: a decimal string in the reporting currency; `null` is refused.
    pub arr: MaybeUndefined<Decimal>,
    /// When the current contract ends (ISO 8601 date, `YYYY-MM-DD`).
    pub contract_end_date: MaybeUndefined<super::scalars::Date>,
    /// Customer health bucket, usually set by customer success.
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
        filter: Option<AccountFilterInput>,
        #[graphql(desc = "Sort order; omitted, the list's default order.")] order_by: Option<
            AccountOrderInput,
        >,
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
            &PageArgs {
                owners: reads_owner(ctx),
                columns: super::projection::wanted(ctx, super::projection::ACCOUNT),
                ..page_args(first, after, last, before)
            },
        )
        .await?;
        to_connection_in(ctx, paged, Account::from)
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
        #[graphql(desc = "The values to submit.")] input: CreateAccountInput,
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
            contract_end_date: input.contract_end_date.map(|d| Some(d.into())),
            health: input.health.map(Some),
        };
        Ok(svc::create(state(ctx)?, actor, i).await?.into())
    }

    /// Reassigning owner, account manager, CSM or territory takes a sales manager
    /// (within their team) or a director.
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the account.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: UpdateAccountInput,
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
            contract_end_date: patch(input.contract_end_date.map_value(Into::into)),
            health: patch(input.health),
        };
        Ok(svc::update(state(ctx)?, actor, id, i).await?.into())
    }
}
