//! What accepting or rejecting a handoff does to its subject, inside the transition's
//! transaction: lead conversion, account manager / CSM assignment, expansion
//! opportunities, and a rejected lead's return to its SDR.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{
    accounts,
    enums::{HandoffKind, LeadStatus, Lifecycle, OpportunityType, Stage},
    handoffs, leads, opportunities,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    auth::Actor,
    domain::pipeline,
    error::{AppError, AppResult},
    services::{
        audit::{self, Changes},
        unique_violation,
    },
    state::AppState,
};

pub(super) async fn on_accept(
    state: &AppState,
    txn: &DatabaseTransaction,
    actor: &Actor,
    h: &mut handoffs::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let close_date = (now + TimeDelta::days(state.config.handoffs.sales_cycle_days)).date_naive();
    match h.kind {
        HandoffKind::SdrToAe => convert_lead(txn, actor, h, now, close_date).await,
        kind => {
            let account_id = h
                .account_id
                .ok_or_else(|| AppError::internal("account handoff without an account"))?;
            let account = accounts::Entity::find_by_id(account_id)
                .lock_exclusive()
                .one(txn)
                .await?
                .ok_or_else(|| AppError::not_found("Account"))?;
            if kind == HandoffKind::CsToAm {
                let opp = new_opportunity(
                    &account,
                    h.to_user_id,
                    OpportunityType::Expansion,
                    None,
                    None,
                    now,
                    close_date,
                );
                let opp = opp.insert(txn).await?;
                h.opportunity_id = Some(opp.id);
                return created_opportunity(txn, actor, &opp).await;
            }
            let mut m: accounts::ActiveModel = account.clone().into();
            let to = Some(h.to_user_id);
            match kind {
                HandoffKind::AeToAm => m.account_manager_id = Set(to),
                _ => m.csm_id = Set(to),
            }
            if kind != HandoffKind::AmToCs {
                m.lifecycle = Set(Lifecycle::Customer);
            }
            m.updated_at = Set(now);
            let after = m.update(txn).await?;
            let id = |u: Option<Uuid>| u.map(|u| u.to_string());
            let changes = Changes::new()
                .field(
                    "accountManagerId",
                    id(account.account_manager_id),
                    id(after.account_manager_id),
                )
                .field("csmId", id(account.csm_id), id(after.csm_id))
                .field(
                    "lifecycle",
                    account.lifecycle.as_str(),
                    after.lifecycle.as_str(),
                );
            audit::record(
                txn,
                Some(actor.user_id),
                "acceptHandoff",
                "Account",
                after.id,
                changes,
            )
            .await
        }
    }
}

fn new_opportunity(
    account: &accounts::Model,
    owner: Uuid,
    kind: OpportunityType,
    sourced_by: Option<Uuid>,
    lead_id: Option<Uuid>,
    now: DateTime<Utc>,
    close_date: chrono::NaiveDate,
) -> opportunities::ActiveModel {
    let (probability, category) = pipeline::stage_defaults(Stage::Discovery);
    let suffix = match kind {
        OpportunityType::Expansion => "Expansion",
        OpportunityType::Renewal => "Renewal",
        OpportunityType::NewBusiness => "New business",
    };
    opportunities::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(format!("{} — {suffix}", account.name)),
        account_id: Set(account.id),
        owner_id: Set(owner),
        // Credit is fixed from the account now, so a later realignment keeps history.
        territory_id: Set(account.territory_id),
        opportunity_type: Set(kind),
        stage: Set(Stage::Discovery),
        // The owner sets amount and close date; these are placeholders.
        amount_cents: Set(0),
        close_date: Set(close_date),
        probability: Set(probability),
        forecast_category: Set(category),
        sourced_by_id: Set(sourced_by),
        partner_id: Set(None),
        lead_id: Set(lead_id),
        lost_reason: Set(None),
        version: Set(1),
        closed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

async fn created_opportunity(
    txn: &DatabaseTransaction,
    actor: &Actor,
    o: &opportunities::Model,
) -> AppResult<()> {
    let changes = Changes::new()
        .field("name", Value::Null, o.name.clone())
        .field("accountId", Value::Null, o.account_id.to_string())
        .field("ownerId", Value::Null, o.owner_id.to_string())
        .field("type", Value::Null, o.opportunity_type.as_str())
        .field("stage", Value::Null, o.stage.as_str());
    audit::record(
        txn,
        Some(actor.user_id),
        "acceptHandoff",
        "Opportunity",
        o.id,
        changes,
    )
    .await
}

/// The lead's account (by its normalized domain, or created in the lead's territory
/// and owned by the AE), a `DISCOVERY` opportunity owned by the AE and sourced by the
/// SDR, and the lead `CONVERTED` with links to both.
async fn convert_lead(
    txn: &DatabaseTransaction,
    actor: &Actor,
    h: &mut handoffs::Model,
    now: DateTime<Utc>,
    close_date: chrono::NaiveDate,
) -> AppResult<()> {
    let lead_id = h
        .lead_id
        .ok_or_else(|| AppError::internal("lead handoff without a lead"))?;
    let lead = leads::Entity::find_by_id(lead_id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("Lead"))?;
    if lead.status != LeadStatus::Qualified {
        return Err(AppError::InvalidStateTransition(format!(
            "the lead is {} now, no longer QUALIFIED; reject the handoff",
            lead.status.as_str()
        )));
    }
    let Some(domain) = lead.domain.clone() else {
        return Err(AppError::bad_input(
            "domain",
            "the lead has no domain; the SDR must set it",
        ));
    };
    let existing = accounts::Entity::find()
        .filter(accounts::Column::Domain.eq(domain.as_str()))
        .one(txn)
        .await?;
    let account = match existing {
        Some(a) => a,
        None => {
            let a = accounts::ActiveModel {
                id: Set(Uuid::new_v4()),
                name: Set(lead.company_name.clone()),
                domain: Set(domain),
                industry: Set(lead.industry.clone()),
                country: Set(lead.country.clone()),
                employee_count: Set(lead.employee_count),
                territory_id: Set(lead.territory_id),
                owner_id: Set(Some(h.to_user_id)),
                account_manager_id: Set(None),
                csm_id: Set(None),
                partner_id: Set(None),
                lifecycle: Set(Lifecycle::Prospect),
                arr_cents: Set(0),
                contract_end_date: Set(None),
                health: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await
            .map_err(|e| {
                unique_violation(e, "domain", "an account with this domain was just created")
            })?;
            let changes = Changes::new()
                .field("name", Value::Null, a.name.clone())
                .field("domain", Value::Null, a.domain.clone());
            audit::record(
                txn,
                Some(actor.user_id),
                "acceptHandoff",
                "Account",
                a.id,
                changes,
            )
            .await?;
            a
        }
    };
    let opp = new_opportunity(
        &account,
        h.to_user_id,
        OpportunityType::NewBusiness,
        Some(h.from_user_id),
        Some(lead.id),
        now,
        close_date,
    )
    .insert(txn)
    .await?;
    created_opportunity(txn, actor, &opp).await?;
    let mut m: leads::ActiveModel = lead.clone().into();
    m.status = Set(LeadStatus::Converted);
    m.account_id = Set(Some(account.id));
    m.updated_at = Set(now);
    m.update(txn).await?;
    let changes = Changes::new()
        .field(
            "status",
            lead.status.as_str(),
            LeadStatus::Converted.as_str(),
        )
        .field("accountId", Value::Null, account.id.to_string());
    audit::record(
        txn,
        Some(actor.user_id),
        "acceptHandoff",
        "Lead",
        lead.id,
        changes,
    )
    .await?;
    h.account_id = Some(account.id);
    h.opportunity_id = Some(opp.id);
    Ok(())
}

/// A rejected lead goes back to `WORKING` with its SDR.
pub(super) async fn on_reject(
    txn: &DatabaseTransaction,
    actor: &Actor,
    h: &handoffs::Model,
) -> AppResult<()> {
    let Some(lead_id) = h.lead_id.filter(|_| h.kind == HandoffKind::SdrToAe) else {
        return Ok(());
    };
    let Some(lead) = leads::Entity::find_by_id(lead_id)
        .lock_exclusive()
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    if lead.status == LeadStatus::Converted {
        return Ok(());
    }
    let mut m: leads::ActiveModel = lead.clone().into();
    m.status = Set(LeadStatus::Working);
    m.owner_id = Set(Some(h.from_user_id));
    m.updated_at = Set(h.updated_at);
    m.update(txn).await?;
    let id = |u: Option<Uuid>| u.map(|u| u.to_string());
    let changes = Changes::new()
        .field("status", lead.status.as_str(), LeadStatus::Working.as_str())
        .field("ownerId", id(lead.owner_id), h.from_user_id.to_string());
    audit::record(
        txn,
        Some(actor.user_id),
        "rejectHandoff",
        "Lead",
        lead.id,
        changes,
    )
    .await
}
