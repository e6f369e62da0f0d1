//! The territory tree: reading it within scope, designing it (directors), membership
//! (directors, and sales managers for the subtrees they are accountable for).

use chrono::Utc;
use entity::{territories, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    page::{PageArgs, Paged, fetch_page, text_search},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action},
    },
    domain::{criteria::Criteria, text},
    error::{AppError, AppResult},
    state::AppState,
};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct TerritoryFilter {
    /// Direct children of this territory.
    pub parent_id: Option<Uuid>,
    /// This territory and its whole subtree.
    pub root_id: Option<Uuid>,
    pub roots_only: bool,
    pub search: Option<String>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &TerritoryFilter,
    page: &PageArgs,
) -> AppResult<Paged<territories::Model>> {
    policy::require(actor, Action::ReadTerritories)?;
    page.validate()?;
    let mut cond = policy::territory_scope(actor);
    if let Some(parent) = filter.parent_id {
        cond = cond.add(territories::Column::ParentId.eq(parent));
    }
    if filter.roots_only {
        cond = cond.add(territories::Column::ParentId.is_null());
    }
    if let Some(root) = filter.root_id {
        cond = cond.add(
            in_subtree(
                db,
                actor,
                root,
                (territories::Entity, territories::Column::Id),
            )
            .await?,
        );
    }
    if let Some(search) = text_search(
        filter.search.as_deref(),
        &[(territories::Entity, territories::Column::Name)],
    )? {
        cond = cond.add(search);
    }
    fetch_page(
        db,
        territories::Entity::find().filter(cond),
        page,
        territories::Column::Path,
        false,
        territories::Column::Id,
    )
    .await
}

/// Rows of `column` in `territory`'s subtree (the territory must be visible).
pub async fn in_subtree<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    territory: Uuid,
    column: impl sea_orm::sea_query::IntoColumnRef,
) -> AppResult<sea_orm::Condition> {
    use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
    let root = territories::Entity::find_by_id(territory)
        .filter(policy::territory_scope(actor))
        .one(db)
        .await?;
    let Some(root) = root else {
        return Ok(policy::nothing());
    };
    Ok(sea_orm::Condition::all().add(
        Expr::col(column).in_subquery(
            Query::select()
                .column(territories::Column::Id)
                .from(territories::Entity)
                .and_where(territories::Column::Path.starts_with(root.path))
                .to_owned(),
        ),
    ))
}

/// A territory the actor may see, or `NOT_FOUND`.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::ReadTerritories)?;
    territories::Entity::find_by_id(id)
        .filter(policy::territory_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Territory"))
}

async fn accountable_manager<C: ConnectionTrait>(db: &C, id: Uuid) -> AppResult<Uuid> {
    users::Entity::find_by_id(id)
        .filter(policy::territory_manager_candidates())
        .one(db)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| {
            AppError::bad_input("managerId", "must be an active sales manager or director")
        })
}

fn criteria_changes(
    changes: Changes,
    before: Option<&territories::Model>,
    after: &territories::Model,
) -> Changes {
    changes
        .field(
            "criteriaCountries",
            before.map(|b| b.criteria_countries.clone()),
            after.criteria_countries.clone(),
        )
        .field(
            "criteriaIndustries",
            before.map(|b| b.criteria_industries.clone()),
            after.criteria_industries.clone(),
        )
        .field(
            "criteriaMinEmployees",
            before.and_then(|b| b.criteria_min_employees),
            after.criteria_min_employees,
        )
        .field(
            "criteriaMaxEmployees",
            before.and_then(|b| b.criteria_max_employees),
            after.criteria_max_employees,
        )
}

pub struct NewTerritory {
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub manager_id: Option<Uuid>,
    pub criteria: Criteria,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewTerritory,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::DesignTerritories)?;
    let name = text::required(&input.name, "name", NAME_MAX)?;
    let criteria = validate_criteria(input.criteria)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let parent = match input.parent_id {
        Some(pid) => Some(
            territories::Entity::find_by_id(pid)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::bad_input("parentId", "no such territory"))?,
        ),
        None => None,
    };
    let manager_id = match input.manager_id {
        Some(m) => Some(accountable_manager(&txn, m).await?),
        None => None,
    };
    let id = Uuid::new_v4();
    let (path, depth) = match &parent {
        Some(p) => (format!("{}{id}/", p.path), p.depth + 1),
        None => (format!("/{id}/"), 0),
    };
    check_depth(depth)?;
    let now = Utc::now();
    let t = territories::ActiveModel {
        id: Set(id),
        name: Set(name),
        parent_id: Set(parent.map(|p| p.id)),
        path: Set(path),
        depth: Set(depth),
        manager_id: Set(manager_id),
        criteria_countries: Set(json!(criteria.countries)),
        criteria_industries: Set(json!(criteria.industries)),
        criteria_min_employees: Set(criteria.min_employees),
        criteria_max_employees: Set(criteria.max_employees),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let changes = Changes::new()
        .field("name", None::<String>, t.name.clone())
        .field(
            "parentId",
            None::<String>,
            t.parent_id.map(|u| u.to_string()),
        )
        .field(
            "managerId",
            None::<String>,
            t.manager_id.map(|u| u.to_string()),
        );
    let changes = criteria_changes(changes, None, &t);
    audit::record(
        &txn,
        Some(actor.user_id),
        "createTerritory",
        "Territory",
        t.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

#[derive(Default)]
pub struct TerritoryChanges {
    pub name: Option<String>,
    /// `Some(None)` removes the accountable manager.
    pub manager_id: Option<Option<Uuid>>,
    pub criteria: Option<Criteria>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, territory = %id))]
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    input: TerritoryChanges,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::DesignTerritories)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let before = super::find_scoped::<territories::Entity, _>(
        &txn,
        id,
        policy::territory_scope(actor),
        true,
        "Territory",
    )
    .await?;
    let mut m: territories::ActiveModel = before.clone().into();
    if let Some(name) = &input.name {
        m.name = Set(text::required(name, "name", NAME_MAX)?);
    }
    if let Some(manager) = input.manager_id {
        m.manager_id = Set(match manager {
            Some(mid) => Some(accountable_manager(&txn, mid).await?),
            None => None,
        });
    }
    if let Some(c) = input.criteria {
        let c = validate_criteria(c)?;
        m.criteria_countries = Set(json!(c.countries));
        m.criteria_industries = Set(json!(c.industries));
        m.criteria_min_employees = Set(c.min_employees);
        m.criteria_max_employees = Set(c.max_employees);
    }
    m.updated_at = Set(Utc::now());
    let after = m.update(&txn).await?;
    let changes = Changes::new()
        .field("name", before.name.clone(), after.name.clone())
        .field(
            "managerId",
            before.manager_id.map(|u| u.to_string()),
            after.manager_id.map(|u| u.to_string()),
        );
    let changes = criteria_changes(changes, Some(&before), &after);
    audit::record(
        &txn,
        Some(actor.user_id),
        "updateTerritory",
        "Territory",
        id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Moves a territory and its subtree under `new_parent` (or to the top). A move under
/// itself or its own subtree would make a cycle and is refused.
#[tracing::instrument(skip_all, fields(actor = %actor.user_id, territory = %id))]
pub async fn move_to(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    new_parent: Option<Uuid>,
) -> AppResult<territories::Model> {
    policy::require(actor, Action::DesignTerritories)?;
    let txn = crate::db::begin_write(&state.db).await?;
    super::lock_territory_tree(&txn).await?;
    let node = get(&txn, actor, id).await?;
    let parent = match new_parent {
        Some(pid) => {
            let p = territories::Entity::find_by_id(pid)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::bad_input("parentId", "no such territory"))?;
            if p.path.starts_with(&node.path) {
                return Err(AppError::bad_input(
                    "parentId",
                    "a territory cannot move under itself or its own subtree",
                ));
            }
            Some(p)
        }
        None => None,
    };
    if parent.as_ref().map(|p| p.id) == node.parent_id {
        audit::record(
            &txn,
            Some(actor.user_id),
            "moveTerritory",
            "Territory",
            id,
            Changes::new(),
        )
        .await?;
        txn.commit().await?;
        return Ok(node);
    }
    let (new_path, new_depth) = match &parent {
        Some(p) => (format!("{}{id}/", p.path), p.depth + 1),
        None => (format!("/{id}/"), 0),
    };
    let delta = new_depth - node.depth;
    // The subtree is small (a branch of the org chart); rewrite its paths row by row.
    let subtree = territories::Entity::find()
        .filter(territories::Column::Path.starts_with(node.path.clone()))
        .all(&txn)
        .await?;
    let deepest = subtree.iter().map(|t| t.depth).max().unwrap_or(node.depth);
    check_depth(deepest + delta)?;
    let now = Utc::now();
    for t in subtree {
        let path = format!("{new_path}{}", &t.path[node.path.len()..]);
        let depth = t.depth + delta;
        let is_node = t.id == id;
        let mut m: territories::ActiveModel = t.into();
        m.path = Set(path);
        m.depth = Set(depth);
        if is_node {
            m.parent_id = Set(parent.as_ref().map(|p| p.id));
            m.updated_at = Set(now);
        }
        m.update(&txn).await?;
    }
    let after = territories::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("moved territory vanished"))?;
    let changes = Changes::new().field(
        "parentId",
        node.parent_id.map(|u| u.to_string()),
        after.parent_id.map(|u| u.to_string()),
    );
    audit::record(
        &txn,
        Some(actor.user_id),
        "moveTerritory",
        "Territory",
        id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Levels a territory tree may have. Each level adds an id to the materialized path,
/// whose column holds 2000 characters (54 levels); the bound leaves room and answers a
/// clear error instead of a database failure.
pub const MAX_TERRITORY_LEVELS: i32 = 32;

fn check_depth(depth: i32) -> AppResult<()> {
    if depth >= MAX_TERRITORY_LEVELS {
        return Err(AppError::bad_input(
            "parentId",
            format!("territories nest at most {MAX_TERRITORY_LEVELS} levels deep"),
        ));
    }
    Ok(())
}

mod criteria;
mod members;

pub use criteria::validate_criteria;
pub use members::{add_member, remove_member};
