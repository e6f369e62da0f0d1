//! Territory membership: who belongs to a territory and in which role. Directors
//! manage every territory's members, sales managers those of the subtrees they are
//! accountable for.

use chrono::Utc;
use entity::{enums::TerritoryRole, territories, territory_members, users};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use super::get;
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    error::{AppError, AppResult},
    services::audit::{self, Changes},
    state::AppState,
};

/// The territory if the actor may manage its members; `NOT_FOUND` if they cannot see
/// it, `FORBIDDEN` if they can see but not manage it.
async fn manageable<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::ManageTerritoryMembers)?;
    let t = get(db, actor, id).await?;
    let ok = territories::Entity::find_by_id(id)
        .filter(policy::territory_members_scope(actor))
        .count(db)
        .await?
        > 0;
    if ok {
        Ok(t)
    } else {
        Err(AppError::Forbidden(
            "you manage the members of the territories you are accountable for".into(),
        ))
    }
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, territory = %territory_id))]
pub async fn add_member(
    state: &AppState,
    actor: &Actor,
    territory_id: Uuid,
    user_id: Uuid,
    role: TerritoryRole,
) -> AppResult<territories::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let t = manageable(&txn, actor, territory_id).await?;
    // Membership widens the member's scope, so a sales manager may add only their own
    // team; a user outside it is answered like one that does not exist.
    let user = users::Entity::find_by_id(user_id)
        .filter(policy::territory_member_candidate_scope(actor))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            AppError::bad_input("userId", "must be an active internal user of your team")
        })?;
    let existing = territory_members::Entity::find_by_id((territory_id, user.id))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(AppError::bad_input(
            "userId",
            "is already a member of this territory",
        ));
    }
    territory_members::ActiveModel {
        territory_id: Set(territory_id),
        user_id: Set(user.id),
        role_in_territory: Set(role),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        crate::services::unique_violation(e, "userId", "is already a member of this territory")
    })?;
    let changes = Changes::new()
        .field("userId", None::<String>, user.id.to_string())
        .field("roleInTerritory", None::<String>, role.as_str());
    audit::record(
        &txn,
        Some(actor.user_id),
        "addTerritoryMember",
        "Territory",
        territory_id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, territory = %territory_id))]
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    territory_id: Uuid,
    user_id: Uuid,
) -> AppResult<territories::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let t = manageable(&txn, actor, territory_id).await?;
    let existing = territory_members::Entity::find_by_id((territory_id, user_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::bad_input("userId", "is not a member of this territory"))?;
    territory_members::Entity::delete_by_id((territory_id, user_id))
        .exec(&txn)
        .await?;
    let changes = Changes::new()
        .field("userId", user_id.to_string(), None::<String>)
        .field(
            "roleInTerritory",
            existing.role_in_territory.as_str(),
            None::<String>,
        );
    audit::record(
        &txn,
        Some(actor.user_id),
        "removeTerritoryMember",
        "Territory",
        territory_id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}
