//! What a submission is checked against: the organization's hourly limit and channel
//! conflict with accounts, open opportunities and other partners' registrations.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{
    accounts,
    deal_registrations::{self, Column as D},
    enums::Stage,
    opportunities,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use super::deal_registrations::live;
use crate::{
    domain::deal_registration::{Conflict, ConflictSignal, key_word, normalized_name},
    error::{AppError, AppResult},
};

/// At most `max` submissions per organization in any hour, counted in the database so
/// that every replica enforces the same limit.
pub(super) async fn rate_limit<C: ConnectionTrait>(
    db: &C,
    partner_id: Uuid,
    now: DateTime<Utc>,
    max: u64,
) -> AppResult<()> {
    let since = now - TimeDelta::hours(1);
    let recent: Vec<DateTime<Utc>> = deal_registrations::Entity::find()
        .select_only()
        .column(D::CreatedAt)
        .filter(D::PartnerId.eq(partner_id))
        .filter(D::CreatedAt.gt(since))
        .into_tuple()
        .all(db)
        .await?;
    if (recent.len() as u64) < max {
        return Ok(());
    }
    let oldest = recent.iter().min().copied().unwrap_or(now);
    let retry = Ord::max((oldest + TimeDelta::hours(1) - now).num_seconds(), 1);
    Err(AppError::RateLimited {
        retry_after_secs: u64::try_from(retry).unwrap_or(1),
    })
}

/// Channel conflict: the same normalized domain on an account, an open opportunity or
/// another partner's live registration (strong), a matching company name (weak).
pub(super) async fn detect_conflicts<C: ConnectionTrait>(
    db: &C,
    partner_id: Uuid,
    domain: &str,
    company: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<Conflict>> {
    let mut found = Vec::new();
    let mut push = |signal, entity_type: &str, entity_id, matched: &str| {
        found.push(Conflict {
            signal,
            strength: Conflict::strength_of(signal),
            entity_type: entity_type.into(),
            entity_id,
            matched: matched.into(),
        });
    };
    let account = accounts::Entity::find()
        .filter(accounts::Column::Domain.eq(domain))
        .one(db)
        .await?;
    if let Some(a) = &account {
        push(ConflictSignal::DomainAccount, "Account", a.id, domain);
        let open = opportunities::Entity::find()
            .filter(opportunities::Column::AccountId.eq(a.id))
            .filter(opportunities::Column::Stage.is_not_in([Stage::ClosedWon, Stage::ClosedLost]))
            .all(db)
            .await?;
        for o in open {
            push(
                ConflictSignal::DomainOpenOpportunity,
                "Opportunity",
                o.id,
                domain,
            );
        }
    }
    let others = deal_registrations::Entity::find()
        .filter(D::PartnerId.ne(partner_id))
        .filter(live(now));
    for r in others.clone().filter(D::Domain.eq(domain)).all(db).await? {
        push(
            ConflictSignal::DomainRegistration,
            "DealRegistration",
            r.id,
            domain,
        );
    }
    let name = normalized_name(company);
    if let Some(word) = key_word(&name) {
        let like = format!("%{word}%");
        let candidates = accounts::Entity::find()
            .filter(Expr::expr(Func::lower(Expr::col(accounts::Column::Name))).like(like.as_str()))
            .filter(accounts::Column::Domain.ne(domain))
            .limit(50)
            .all(db)
            .await?;
        for a in candidates
            .iter()
            .filter(|a| normalized_name(&a.name) == name)
        {
            push(ConflictSignal::CompanyNameAccount, "Account", a.id, &a.name);
        }
        let candidates = others
            .filter(D::Domain.ne(domain))
            .filter(Expr::expr(Func::lower(Expr::col(D::CompanyName))).like(like.as_str()))
            .limit(50)
            .all(db)
            .await?;
        for r in candidates
            .iter()
            .filter(|r| normalized_name(&r.company_name) == name)
        {
            push(
                ConflictSignal::CompanyNameRegistration,
                "DealRegistration",
                r.id,
                &r.company_name,
            );
        }
    }
    Ok(found)
}
