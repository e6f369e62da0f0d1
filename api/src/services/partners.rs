//! Partner organizations: the directors' list and administration, and whether an
//! organization's users may act at all (a suspended one's may not).

use chrono::Utc;
use entity::{
    enums::{PartnerStatus, PartnerTier},
    partners, users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    find_scoped,
    page::{PageArgs, Paged, fetch_page, text_search},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::text,
    error::{AppError, AppResult},
};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct PartnerFilter {
    pub status: Option<PartnerStatus>,
    pub search: Option<String>,
}

pub struct NewPartner {
    pub name: String,
    pub tier: PartnerTier,
}

#[derive(Default)]
pub struct PartnerChanges {
    pub name: Option<String>,
    pub tier: Option<PartnerTier>,
    pub status: Option<PartnerStatus>,
}

/// Whether `user` may act now: a partner user only while their organization is active.
/// Part of the per-request session check, so a suspension bites on the next request.
pub async fn organization_active<C: ConnectionTrait>(
    db: &C,
    user: &users::Model,
) -> AppResult<bool> {
    let Some(partner_id) = user.partner_id else {
        return Ok(true);
    };
    Ok(partners::Entity::find_by_id(partner_id)
        .filter(partners::Column::Status.eq(PartnerStatus::Active))
        .one(db)
        .await?
        .is_some())
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &PartnerFilter,
    page: &PageArgs,
) -> AppResult<Paged<partners::Model>> {
    use partners::Column as P;
    policy::require(actor, Action::ReadPartners)?;
    page.validate()?;
    let mut cond = policy::partner_scope(actor);
    if let Some(s) = filter.status {
        cond = cond.add(P::Status.eq(s));
    }
    if let Some(s) = text_search(filter.search.as_deref(), &[(partners::Entity, P::Name)])? {
        cond = cond.add(s);
    }
    fetch_page(
        db,
        partners::Entity::find().filter(cond),
        page,
        P::Name,
        false,
        P::Id,
    )
    .await
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewPartner,
) -> AppResult<partners::Model> {
    policy::require(actor, Action::ManagePartners)?;
    let name = text::required(&input.name, "name", NAME_MAX)?;
    let txn = crate::db::begin_write(db).await?;
    ensure_name_free(&txn, &name, None).await?;
    let now = Utc::now();
    let partner = partners::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        tier: Set(input.tier),
        status: Set(PartnerStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| super::unique_violation(e, "name", "is already in use"))?;
    let changes = Changes::new()
        .field("name", None::<String>, partner.name.clone())
        .field("tier", None::<String>, partner.tier.as_str())
        .field("status", None::<String>, partner.status.as_str());
    audit::record(
        &txn,
        Some(actor.user_id),
        "createPartner",
        "Partner",
        partner.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(partner)
}

#[tracing::instrument(skip_all, err(level = "debug", Display), fields(actor = %actor.user_id, partner = %id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: PartnerChanges,
) -> AppResult<partners::Model> {
    policy::require(actor, Action::ManagePartners)?;
    let name = input
        .name
        .as_deref()
        .map(|n| text::required(n, "name", NAME_MAX))
        .transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let before: partners::Model =
        find_scoped::<partners::Entity, _>(&txn, id, policy::partner_scope(actor), true, "Partner")
            .await?;
    if let Some(n) = &name {
        ensure_name_free(&txn, n, Some(id)).await?;
    }
    let mut model: partners::ActiveModel = before.clone().into();
    if let Some(n) = name {
        model.name = Set(n);
    }
    if let Some(t) = input.tier {
        model.tier = Set(t);
    }
    if let Some(s) = input.status {
        model.status = Set(s);
    }
    model.updated_at = Set(Utc::now());
    let after = model
        .update(&txn)
        .await
        .map_err(|e| super::unique_violation(e, "name", "is already in use"))?;
    let changes = Changes::new()
        .field("name", before.name.clone(), after.name.clone())
        .field("tier", before.tier.as_str(), after.tier.as_str())
        .field("status", before.status.as_str(), after.status.as_str());
    audit::record(
        &txn,
        Some(actor.user_id),
        "updatePartner",
        "Partner",
        id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

async fn ensure_name_free<C: ConnectionTrait>(
    db: &C,
    name: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait, Func};
    let mut q = partners::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(partners::Column::Name))).eq(name.to_lowercase()));
    if let Some(id) = except {
        q = q.filter(partners::Column::Id.ne(id));
    }
    if q.one(db).await?.is_some() {
        return Err(AppError::bad_input("name", "is already in use"));
    }
    Ok(())
}
