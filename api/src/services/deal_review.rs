//! Reviewing deal registrations: approval creates or links the account and opens the
//! opportunity for an account executive of the territory; rejection records a note for
//! reviewers and a reason partners may read. One transaction each, with audit events.

use chrono::TimeDelta;
use entity::{
    accounts, deal_registrations,
    enums::{DealRegistrationStatus, Lifecycle, OpportunityType, Stage, TerritoryRole},
    opportunities, territories, territory_members, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    deal_registrations::{NOTE_MAX, Registration, with_status},
    find_scoped,
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{
        deal_registration::{RejectionReason, decide},
        pipeline::stage_defaults,
        text,
    },
    error::{AppError, AppResult},
    state::AppState,
};

pub struct Approval {
    /// The AE to own the opportunity; chosen from the territory when omitted.
    pub owner_id: Option<Uuid>,
    pub note: Option<String>,
}

pub struct Rejection {
    pub reason: RejectionReason,
    pub note: String,
}

/// Locks the registration and checks it may be decided at `version`.
async fn lock_for_decision(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> AppResult<deal_registrations::Model> {
    let reg: deal_registrations::Model = find_scoped::<deal_registrations::Entity, _>(
        txn,
        id,
        policy::deal_registration_scope(actor),
        true,
        "DealRegistration",
    )
    .await?;
    decide(reg.status)?;
    if reg.version != version {
        return Err(AppError::Conflict(
            "the registration changed since it was read; reload it and decide again".into(),
        ));
    }
    Ok(reg)
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id, registration = %id))]
pub async fn approve(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: Approval,
) -> AppResult<Registration> {
    policy::require(actor, Action::ReviewDealRegistrations)?;
    let note = optional_note(input.note.as_deref())?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let reg = lock_for_decision(&txn, actor, id, version).await?;
    let existing = accounts::Entity::find()
        .filter(accounts::Column::Domain.eq(reg.domain.as_str()))
        .one(&txn)
        .await?;
    let territory_id = existing
        .as_ref()
        .map_or(reg.territory_id, |a| a.territory_id);
    let owner = choose_owner(&txn, territory_id, input.owner_id).await?;
    let account = match existing {
        Some(a) if a.partner_id.is_some() => a,
        Some(a) => {
            let mut m: accounts::ActiveModel = a.into();
            m.partner_id = Set(Some(reg.partner_id));
            m.updated_at = Set(now);
            let a = m.update(&txn).await?;
            let changes =
                Changes::new().field("partnerId", None::<String>, reg.partner_id.to_string());
            audit::record(
                &txn,
                Some(actor.user_id),
                "updateAccount",
                "Account",
                a.id,
                changes,
            )
            .await?;
            a
        }
        None => {
            let a = accounts::ActiveModel {
                id: Set(Uuid::new_v4()),
                name: Set(reg.company_name.clone()),
                domain: Set(reg.domain.clone()),
                industry: Set(reg.industry.clone()),
                country: Set(reg.country.clone()),
                employee_count: Set(reg.employee_count),
                territory_id: Set(territory_id),
                owner_id: Set(Some(owner)),
                account_manager_id: Set(None),
                csm_id: Set(None),
                partner_id: Set(Some(reg.partner_id)),
                lifecycle: Set(Lifecycle::Prospect),
                arr_cents: Set(0),
                contract_end_date: Set(None),
                health: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(|e| super::unique_violation(e, "domain", "is already in use"))?;
            let changes = Changes::new()
                .field("name", None::<String>, a.name.clone())
                .field("domain", None::<String>, a.domain.clone())
                .field("partnerId", None::<String>, reg.partner_id.to_string());
            audit::record(
                &txn,
                Some(actor.user_id),
                "createAccount",
                "Account",
                a.id,
                changes,
            )
            .await?;
            a
        }
    };
    let (probability, forecast) = stage_defaults(Stage::Prospecting);
    let opp = opportunities::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(format!("{} (partner registration)", reg.company_name)),
        account_id: Set(account.id),
        owner_id: Set(owner),
        territory_id: Set(account.territory_id),
        opportunity_type: Set(OpportunityType::NewBusiness),
        stage: Set(Stage::Prospecting),
        amount_cents: Set(reg.estimated_amount_cents),
        close_date: Set(reg.expected_close_date),
        probability: Set(probability),
        forecast_category: Set(forecast),
        sourced_by_id: Set(None),
        partner_id: Set(Some(reg.partner_id)),
        lead_id: Set(None),
        lost_reason: Set(None),
        version: Set(1),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let changes = Changes::new()
        .field("accountId", None::<String>, account.id.to_string())
        .field("ownerId", None::<String>, owner.to_string())
        .field("partnerId", None::<String>, reg.partner_id.to_string());
    audit::record(
        &txn,
        Some(actor.user_id),
        "createOpportunity",
        "Opportunity",
        opp.id,
        changes,
    )
    .await?;
    let days = state.config.deal_registration.exclusivity_days;
    let mut m: deal_registrations::ActiveModel = reg.clone().into();
    m.status = Set(DealRegistrationStatus::Approved);
    m.reviewed_by_id = Set(Some(actor.user_id));
    m.reviewed_at = Set(Some(now));
    m.review_note = Set(note);
    m.expires_at = Set(now + TimeDelta::days(days));
    m.account_id = Set(Some(account.id));
    m.opportunity_id = Set(Some(opp.id));
    m.version = Set(reg.version + 1);
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    let changes = Changes::new()
        .field("status", reg.status.as_str(), after.status.as_str())
        .field("opportunityId", None::<String>, opp.id.to_string());
    audit::record(
        &txn,
        Some(actor.user_id),
        "approveDealRegistration",
        "DealRegistration",
        id,
        changes,
    )
    .await?;
    txn.commit().await?;
    let mut rows = with_status(&state.db, vec![after], now).await?;
    rows.pop()
        .ok_or_else(|| AppError::not_found("DealRegistration"))
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id, registration = %id))]
pub async fn reject(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: Rejection,
) -> AppResult<Registration> {
    policy::require(actor, Action::ReviewDealRegistrations)?;
    let note = text::required(&input.note, "note", NOTE_MAX)?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let reg = lock_for_decision(&txn, actor, id, version).await?;
    let mut m: deal_registrations::ActiveModel = reg.clone().into();
    m.status = Set(DealRegistrationStatus::Rejected);
    m.reviewed_by_id = Set(Some(actor.user_id));
    m.reviewed_at = Set(Some(now));
    m.review_note = Set(Some(note));
    m.rejection_reason = Set(Some(input.reason.as_str().into()));
    m.version = Set(reg.version + 1);
    m.updated_at = Set(now);
    let after = m.update(&txn).await?;
    let changes = Changes::new()
        .field("status", reg.status.as_str(), after.status.as_str())
        .field("rejectionReason", None::<String>, input.reason.as_str());
    audit::record(
        &txn,
        Some(actor.user_id),
        "rejectDealRegistration",
        "DealRegistration",
        id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(Registration {
        model: after,
        status: DealRegistrationStatus::Rejected,
    })
}

fn optional_note(raw: Option<&str>) -> AppResult<Option<String>> {
    Ok(raw
        .map(|n| text::bounded(n, "note", NOTE_MAX).map(str::trim))
        .transpose()?
        .filter(|n| !n.is_empty())
        .map(str::to_string))
}

/// The opportunity's owner: the named AE if they cover the territory; otherwise, from
/// the territory up to the root, the first territory with an AE — its `OWNER` member if
/// an AE, else its longest-standing AE member. None anywhere: refused.
async fn choose_owner(
    txn: &DatabaseTransaction,
    territory_id: Option<Uuid>,
    named: Option<Uuid>,
) -> AppResult<Uuid> {
    let chain = territory_chain(txn, territory_id).await?;
    let members = territory_members::Entity::find()
        .find_also_related(users::Entity)
        .filter(territory_members::Column::TerritoryId.is_in(chain.iter().copied()))
        .filter(policy::deal_owner_candidates())
        .order_by_asc(territory_members::Column::CreatedAt)
        .all(txn)
        .await?;
    if let Some(named) = named {
        let covers = members.iter().any(|(m, _)| m.user_id == named);
        return if covers {
            Ok(named)
        } else {
            Err(AppError::bad_input(
                "ownerId",
                "must be an active account executive of the registration's territory or one above it",
            ))
        };
    }
    for t in &chain {
        let here: Vec<_> = members
            .iter()
            .filter(|(m, _)| m.territory_id == *t)
            .collect();
        if let Some((m, _)) = here
            .iter()
            .find(|(m, _)| m.role_in_territory == TerritoryRole::Owner)
            .or_else(|| here.first())
        {
            return Ok(m.user_id);
        }
    }
    Err(AppError::bad_input(
        "ownerId",
        "no account executive covers this registration's territory; name one with ownerId",
    ))
}

/// The territory and its ancestors, nearest first.
async fn territory_chain(
    txn: &DatabaseTransaction,
    territory_id: Option<Uuid>,
) -> AppResult<Vec<Uuid>> {
    let mut chain = Vec::new();
    let mut next = territory_id;
    while let Some(id) = next {
        if chain.contains(&id) || chain.len() > 64 {
            break;
        }
        chain.push(id);
        next = territories::Entity::find_by_id(id)
            .one(txn)
            .await?
            .and_then(|t| t.parent_id);
    }
    Ok(chain)
}
