//! Accounts: companies, their owners (AE, account manager, CSM) and placement.

use chrono::{NaiveDate, Utc};
use entity::{
    accounts,
    enums::{Health, Lifecycle},
    territories,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, Reads, fetch_page_with, text_search},
    placement,
    prefetch::JoinUser,
    users,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action, CreatorSlot},
    },
    domain::{criteria::Facts, text, web_domain},
    error::{AppError, AppResult},
    state::AppState,
};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct AccountFilter {
    pub owner_id: Option<Uuid>,
    /// Accounts in this territory or below it.
    pub territory_id: Option<Uuid>,
    pub lifecycle: Option<Lifecycle>,
    pub search: Option<String>,
}

/// What to sort accounts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum AccountOrderField {
    /// By name.
    #[default]
    Name,
    /// By creation time.
    CreatedAt,
    /// By annual recurring revenue.
    Arr,
    /// By number of employees.
    EmployeeCount,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct AccountOrder {
    pub field: AccountOrderField,
    pub descending: bool,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AccountFilter,
    order: AccountOrder,
    page: &PageArgs,
) -> AppResult<Paged<accounts::Model>> {
    policy::require(actor, Action::ReadAccounts)?;
    page.validate()?;
    let mut cond = policy::account_scope(actor);
    if let Some(owner) = filter.owner_id {
        cond = cond.add(accounts::Column::OwnerId.eq(owner));
    }
    if let Some(t) = filter.territory_id {
        cond = cond.add(
            super::territories::in_subtree(
                db,
                actor,
                t,
                (accounts::Entity, accounts::Column::TerritoryId),
            )
            .await?,
        );
    }
    if let Some(l) = filter.lifecycle {
        cond = cond.add(accounts::Column::Lifecycle.eq(l));
    }
    if let Some(s) = text_search(
        filter.search.as_deref(),
        &[
            (accounts::Entity, accounts::Column::Name),
            (accounts::Entity, accounts::Column::Domain),
        ],
    )? {
        cond = cond.add(s);
    }
    let col = match order.field {
        AccountOrderField::Name => accounts::Column::Name,
        AccountOrderField::CreatedAt => accounts::Column::CreatedAt,
        AccountOrderField::Arr => accounts::Column::ArrCents,
        AccountOrderField::EmployeeCount => accounts::Column::EmployeeCount,
    };
    fetch_page_with(
        db,
        accounts::Entity::find().filter(cond),
        page,
        col,
        order.descending,
        accounts::Column::Id,
        Reads {
            owner: page.owners.then(|| JoinUser {
                fk: accounts::Column::OwnerId,
                scope: policy::user_scope(actor),
            }),
            decode: Some(<accounts::Entity as crate::services::narrow::Narrow>::DECODE),
        },
    )
    .await
}

/// An account the actor may see, or `NOT_FOUND`.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<accounts::Model> {
    policy::require(actor, Action::ReadAccounts)?;
    super::find_scoped::<accounts::Entity, _>(
        db,
        id,
        policy::account_scope(actor),
        false,
        "Account",
    )
    .await
}

#[derive(Default)]
pub struct AccountInput {
    pub name: Option<String>,
    pub domain: Option<String>,
    pub industry: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub employee_count: Option<Option<i32>>,
    pub territory_id: Option<Option<Uuid>>,
    pub owner_id: Option<Option<Uuid>>,
    pub account_manager_id: Option<Option<Uuid>>,
    pub csm_id: Option<Option<Uuid>>,
    pub lifecycle: Option<Lifecycle>,
    pub arr_cents: Option<i64>,
    pub contract_end_date: Option<Option<NaiveDate>>,
    pub health: Option<Option<Health>>,
}

/// The account holding a domain may lie outside the caller's scope, so the error says
/// only that the domain is taken: no name, no id, nothing about whose it is (§1).
const DOMAIN_TAKEN: &str = "this domain is taken";

async fn check_domain_free<C: ConnectionTrait>(
    db: &C,
    domain: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = accounts::Entity::find().filter(accounts::Column::Domain.eq(domain));
    if let Some(id) = except {
        q = q.filter(accounts::Column::Id.ne(id));
    }
    if q.count(db).await? > 0 {
        return Err(AppError::bad_input("domain", DOMAIN_TAKEN));
    }
    Ok(())
}

async fn visible_territory<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<Uuid> {
    territories::Entity::find_by_id(id)
        .filter(policy::territory_scope(actor))
        .one(db)
        .await?
        .map(|t| t.id)
        .ok_or_else(|| AppError::bad_input("territoryId", "no such territory"))
}

/// Applies `input` to `m`, validating each field; reassignments need the grant unless
/// the actor assigns themselves where they already stand.
async fn apply<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    m: &mut accounts::ActiveModel,
    input: AccountInput,
    id: Option<Uuid>,
) -> AppResult<()> {
    if let Some(name) = &input.name {
        m.name = Set(text::required(name, "name", NAME_MAX)?);
    }
    if let Some(domain) = &input.domain {
        let d = web_domain::normalize(domain, "domain")?;
        check_domain_free(db, &d, id).await?;
        m.domain = Set(d);
    }
    if let Some(industry) = input.industry {
        m.industry = Set(industry
            .map(|i| text::required(&i, "industry", 100))
            .transpose()?);
    }
    if let Some(country) = input.country {
        m.country = Set(country
            .map(|c| web_domain::country(&c, "country"))
            .transpose()?);
    }
    if let Some(e) = input.employee_count {
        if e.is_some_and(|n| n < 0) {
            return Err(AppError::bad_input("employeeCount", "must not be negative"));
        }
        m.employee_count = Set(e);
    }
    for (value, field, slot) in [
        (input.owner_id, "ownerId", &mut m.owner_id),
        (
            input.account_manager_id,
            "accountManagerId",
            &mut m.account_manager_id,
        ),
        (input.csm_id, "csmId", &mut m.csm_id),
    ] {
        if let Some(value) = value {
            if value != Some(actor.user_id) || id.is_some() {
                policy::require(actor, Action::ReassignAccount)?;
            }
            if let Some(uid) = value {
                users::assignable(db, actor, uid, field).await?;
            }
            *slot = Set(value);
        }
    }
    if let Some(t) = input.territory_id {
        if id.is_some() {
            policy::require(actor, Action::ReassignAccount)?;
        }
        m.territory_id = Set(match t {
            Some(tid) => Some(visible_territory(db, actor, tid).await?),
            None => None,
        });
    }
    if let Some(l) = input.lifecycle {
        m.lifecycle = Set(l);
    }
    if let Some(arr) = input.arr_cents {
        m.arr_cents = Set(arr);
    }
    if let Some(d) = input.contract_end_date {
        m.contract_end_date = Set(d);
    }
    if let Some(h) = input.health {
        m.health = Set(h);
    }
    Ok(())
}

fn changes(before: Option<&accounts::Model>, after: &accounts::Model) -> Changes {
    let s = |u: Option<Uuid>| u.map(|u| u.to_string());
    Changes::new()
        .field("name", before.map(|b| b.name.clone()), after.name.clone())
        .field(
            "domain",
            before.map(|b| b.domain.clone()),
            after.domain.clone(),
        )
        .field(
            "industry",
            before.and_then(|b| b.industry.clone()),
            after.industry.clone(),
        )
        .field(
            "country",
            before.and_then(|b| b.country.clone()),
            after.country.clone(),
        )
        .field(
            "employeeCount",
            before.and_then(|b| b.employee_count),
            after.employee_count,
        )
        .field(
            "territoryId",
            before.and_then(|b| s(b.territory_id)),
            s(after.territory_id),
        )
        .field(
            "ownerId",
            before.and_then(|b| s(b.owner_id)),
            s(after.owner_id),
        )
        .field(
            "accountManagerId",
            before.and_then(|b| s(b.account_manager_id)),
            s(after.account_manager_id),
        )
        .field("csmId", before.and_then(|b| s(b.csm_id)), s(after.csm_id))
        .field(
            "lifecycle",
            before.map(|b| b.lifecycle.as_str()),
            after.lifecycle.as_str(),
        )
        .field("arrCents", before.map(|b| b.arr_cents), after.arr_cents)
        .field(
            "contractEndDate",
            before.and_then(|b| b.contract_end_date.map(|d| d.to_string())),
            after.contract_end_date.map(|d| d.to_string()),
        )
        .field(
            "health",
            before.and_then(|b| b.health.map(|h| h.as_str())),
            after.health.map(|h| h.as_str()),
        )
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn create(
    state: &AppState,
    actor: &Actor,
    mut input: AccountInput,
) -> AppResult<accounts::Model> {
    policy::require(actor, Action::CreateAccount)?;
    let name = text::required(input.name.as_deref().unwrap_or(""), "name", NAME_MAX)?;
    if input.domain.is_none() {
        return Err(AppError::bad_input("domain", "domain is required"));
    }
    // Sellers create their own accounts unless they say otherwise.
    match policy::account_creator_slot(actor) {
        CreatorSlot::AccountOwner if input.owner_id.is_none() => {
            input.owner_id = Some(Some(actor.user_id))
        }
        CreatorSlot::AccountManager if input.account_manager_id.is_none() => {
            input.account_manager_id = Some(Some(actor.user_id))
        }
        _ => {}
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut m = accounts::ActiveModel {
        id: Set(id),
        name: Set(name),
        domain: Set(String::new()),
        industry: Set(None),
        country: Set(None),
        employee_count: Set(None),
        territory_id: Set(None),
        owner_id: Set(None),
        account_manager_id: Set(None),
        csm_id: Set(None),
        partner_id: Set(None),
        lifecycle: Set(Lifecycle::Prospect),
        arr_cents: Set(0),
        contract_end_date: Set(None),
        health: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let explicit_territory = input.territory_id.is_some();
    apply(&txn, actor, &mut m, input, None).await?;
    if !explicit_territory {
        let facts = Facts {
            country: m.country.as_ref().as_deref(),
            industry: m.industry.as_ref().as_deref(),
            employees: *m.employee_count.as_ref(),
        };
        m.territory_id = Set(placement::territory_for(&txn, actor, &facts).await?);
    }
    let account = m
        .insert(&txn)
        .await
        .map_err(|e| super::unique_violation(e, "domain", DOMAIN_TAKEN))?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "createAccount",
        "Account",
        id,
        changes(None, &account),
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, account = %id))]
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    input: AccountInput,
) -> AppResult<accounts::Model> {
    policy::require(actor, Action::UpdateAccount)?;
    let txn = crate::db::begin_write(&state.db).await?;
    policy::require(actor, Action::ReadAccounts)?;
    let before = super::find_scoped::<accounts::Entity, _>(
        &txn,
        id,
        policy::account_scope(actor),
        true,
        "Account",
    )
    .await?;
    let mut m: accounts::ActiveModel = before.clone().into();
    apply(&txn, actor, &mut m, input, Some(id)).await?;
    m.updated_at = Set(Utc::now());
    let after = m.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "updateAccount",
        "Account",
        id,
        changes(Some(&before), &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
