//! The user directory and its administration (directors only).

use chrono::Utc;
use entity::{enums::Role, partners, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{
    audit::{self, Changes},
    auth,
    page::{PageArgs, Paged, fetch_page, text_search},
};
use crate::{
    auth::{
        Actor,
        policy::{self, Action, Membership},
    },
    domain::{Email, text},
    error::{AppError, AppResult},
    events::Notice,
    state::AppState,
};

pub const NAME_MAX: usize = 200;

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub manager_id: Option<Uuid>,
    /// Case-insensitive substring of name or email.
    pub search: Option<String>,
}

/// What to sort users by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, async_graphql::Enum)]
pub enum UserOrderField {
    /// By full name.
    #[default]
    Name,
    /// By email address.
    Email,
    /// By creation time.
    CreatedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct UserOrder {
    pub field: UserOrderField,
    pub descending: bool,
}

fn filter_condition(filter: &UserFilter) -> AppResult<Condition> {
    let mut cond = Condition::all();
    if let Some(role) = filter.role {
        cond = cond.add(users::Column::Role.eq(role));
    }
    if let Some(active) = filter.active {
        cond = cond.add(users::Column::Active.eq(active));
    }
    if let Some(manager) = filter.manager_id {
        cond = cond.add(users::Column::ManagerId.eq(manager));
    }
    if let Some(search) = text_search(
        filter.search.as_deref(),
        &[
            (users::Entity, users::Column::Name),
            (users::Entity, users::Column::Email),
        ],
    )? {
        cond = cond.add(search);
    }
    Ok(cond)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &UserFilter,
    order: UserOrder,
    page: &PageArgs,
) -> AppResult<Paged<users::Model>> {
    policy::require(actor, Action::ReadUsers)?;
    page.validate()?;
    let cond = policy::user_scope(actor).add(filter_condition(filter)?);
    let col = match order.field {
        UserOrderField::Name => users::Column::Name,
        UserOrderField::Email => users::Column::Email,
        UserOrderField::CreatedAt => users::Column::CreatedAt,
    };
    fetch_page(
        db,
        users::Entity::find().filter(cond),
        page,
        col,
        order.descending,
        users::Column::Id,
    )
    .await
}

/// A user the actor may see, or `NOT_FOUND`.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> AppResult<users::Model> {
    policy::require(actor, Action::ReadUsers)?;
    users::Entity::find_by_id(id)
        .filter(policy::user_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("User"))
}

/// Users among `ids` the actor may see (for DataLoaders).
pub async fn visible_by_ids<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: &[Uuid],
) -> AppResult<Vec<users::Model>> {
    Ok(without_secrets()
        .filter(super::page::key_in(
            db.get_database_backend(),
            (users::Entity, users::Column::Id),
            ids,
        ))
        .filter(policy::user_scope(actor))
        .all(db)
        .await?)
}

/// Users without their password hash (an empty string in its place): what every read
/// that only shows a user needs, so a hash never leaves the database to print a name.
fn without_secrets() -> sea_orm::Select<users::Entity> {
    use sea_orm::{Iterable, QuerySelect, sea_query::Expr};
    users::Entity::find()
        .select_only()
        .columns(users::Column::iter().filter(|c| !matches!(c, users::Column::PasswordHash)))
        .column_as(Expr::val(""), "password_hash")
}

/// Direct reports of each of `manager_ids` that the actor may see (for DataLoaders).
pub async fn visible_reports<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    manager_ids: &[Uuid],
) -> AppResult<Vec<users::Model>> {
    Ok(without_secrets()
        .filter(super::page::key_in(
            db.get_database_backend(),
            (users::Entity, users::Column::ManagerId),
            manager_ids,
        ))
        .filter(policy::user_scope(actor))
        .order_by_asc(users::Column::Name)
        .all(db)
        .await?)
}

pub async fn partners_by_ids<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    ids: &[Uuid],
) -> AppResult<Vec<partners::Model>> {
    Ok(partners::Entity::find()
        .filter(partners::Column::Id.is_in(ids.iter().copied()))
        .filter(policy::partner_scope(actor))
        .all(db)
        .await?)
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
    pub manager_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
}

#[derive(Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` clears the manager.
    pub manager_id: Option<Option<Uuid>>,
    pub partner_id: Option<Option<Uuid>>,
    pub password: Option<String>,
    pub active: Option<bool>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id))]
pub async fn create(state: &AppState, actor: &Actor, input: NewUser) -> AppResult<users::Model> {
    policy::require(actor, Action::CreateUser)?;
    let email = Email::parse(&input.email, "email")?;
    let name = text::required(&input.name, "name", NAME_MAX)?;
    text::password(&input.password, "password")?;
    let txn = crate::db::begin_write(&state.db).await?;
    ensure_email_free(&txn, &email, None).await?;
    check_links(&txn, None, input.role, input.manager_id, input.partner_id).await?;
    let hash = state.passwords.hash(&input.password).await?;
    let now = Utc::now();
    let user = users::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.into_string()),
        name: Set(name),
        role: Set(input.role),
        manager_id: Set(input.manager_id),
        partner_id: Set(input.partner_id),
        active: Set(true),
        password_hash: Set(hash),
        created_at: Set(now),
        updated_at: Set(now),
        tokens_valid_after: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| super::unique_violation(e, "email", "is already in use"))?;
    let changes = Changes::new()
        .field("email", None::<String>, user.email.clone())
        .field("name", None::<String>, user.name.clone())
        .field("role", None::<String>, user.role.as_str())
        .field(
            "managerId",
            None::<String>,
            user.manager_id.map(|u| u.to_string()),
        )
        .field(
            "partnerId",
            None::<String>,
            user.partner_id.map(|u| u.to_string()),
        );
    audit::record(
        &txn,
        Some(actor.user_id),
        "createUser",
        "User",
        user.id,
        changes,
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, user = %id))]
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    input: UserChanges,
    action: Action,
) -> AppResult<users::Model> {
    policy::require(actor, action)?;
    let txn = crate::db::begin_write(&state.db).await?;
    policy::require(actor, Action::ReadUsers)?;
    let before =
        super::find_scoped::<users::Entity, _>(&txn, id, policy::user_scope(actor), true, "User")
            .await?;
    policy::require_not_own_lockout(actor, id, before.role, input.role, input.active)?;
    let mut model: users::ActiveModel = before.clone().into();
    if let Some(email) = &input.email {
        let email = Email::parse(email, "email")?;
        ensure_email_free(&txn, &email, Some(id)).await?;
        model.email = Set(email.into_string());
    }
    if let Some(name) = &input.name {
        model.name = Set(text::required(name, "name", NAME_MAX)?);
    }
    let role = input.role.unwrap_or(before.role);
    let manager_id = input.manager_id.unwrap_or(before.manager_id);
    let partner_id = input.partner_id.unwrap_or(before.partner_id);
    check_links(&txn, Some(id), role, manager_id, partner_id).await?;
    model.role = Set(role);
    model.manager_id = Set(manager_id);
    model.partner_id = Set(partner_id);
    let password_changed = if let Some(pw) = &input.password {
        text::password(pw, "password")?;
        model.password_hash = Set(state.passwords.hash(pw).await?);
        true
    } else {
        false
    };
    if let Some(active) = input.active {
        model.active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    let after = model
        .update(&txn)
        .await
        .map_err(|e| super::unique_violation(e, "email", "is already in use"))?;
    // Sessions end when the account is deactivated, its role changes or its password is reset.
    let sessions_end = !after.active || after.role != before.role || password_changed;
    if sessions_end {
        auth::revoke_all(&txn, id).await?;
        auth::end_access_tokens(&txn, id).await?;
    }
    let changes = Changes::new()
        .field("email", before.email.clone(), after.email.clone())
        .field("name", before.name.clone(), after.name.clone())
        .field("role", before.role.as_str(), after.role.as_str())
        .field("active", before.active, after.active)
        .field(
            "managerId",
            before.manager_id.map(|u| u.to_string()),
            after.manager_id.map(|u| u.to_string()),
        )
        .field(
            "partnerId",
            before.partner_id.map(|u| u.to_string()),
            after.partner_id.map(|u| u.to_string()),
        )
        .redacted("password", password_changed);
    let name = if action == Action::DeactivateUser {
        "deactivateUser"
    } else {
        "updateUser"
    };
    audit::record(&txn, Some(actor.user_id), name, "User", id, changes).await?;
    if sessions_end {
        // Their live subscriptions close at once, on every replica.
        state.hub.commit(txn, Notice::SessionsEnded(id)).await?;
    } else {
        txn.commit().await?;
    }
    Ok(after)
}

async fn ensure_email_free<C: ConnectionTrait>(
    db: &C,
    email: &Email,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut q = users::Entity::find().filter(users::Column::Email.eq(email.as_str()));
    if let Some(id) = except {
        q = q.filter(users::Column::Id.ne(id));
    }
    if q.count(db).await? > 0 {
        return Err(AppError::bad_input("email", "is already in use"));
    }
    Ok(())
}

/// The links the user's role requires ([`policy::user_membership`]) and that they point
/// at real rows: the partner organization exists; the manager is one of
/// [`policy::manager_candidates`] and outside the user's own team (no cycles).
async fn check_links<C: ConnectionTrait>(
    db: &C,
    user_id: Option<Uuid>,
    role: Role,
    manager_id: Option<Uuid>,
    partner_id: Option<Uuid>,
) -> AppResult<()> {
    let manager_id = match policy::user_membership(role, manager_id, partner_id)? {
        Membership::Partner { partner_id } => {
            if partners::Entity::find_by_id(partner_id)
                .one(db)
                .await?
                .is_none()
            {
                return Err(AppError::bad_input("partnerId", "no such partner"));
            }
            return Ok(());
        }
        Membership::Internal { manager_id: None } => return Ok(()),
        Membership::Internal {
            manager_id: Some(mid),
        } => mid,
    };
    let candidate = users::Entity::find_by_id(manager_id)
        .filter(policy::manager_candidates())
        .select_only()
        .column(users::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if candidate.is_none() {
        return Err(AppError::bad_input(
            "managerId",
            "must be an active internal user",
        ));
    }
    if let Some(uid) = user_id {
        let in_own_team = users::Entity::find()
            .filter(users::Column::Id.eq(manager_id))
            .filter(policy::in_team_of(users::Column::Id, uid))
            .select_only()
            .column(users::Column::Id)
            .into_tuple::<Uuid>()
            .one(db)
            .await?
            .is_some();
        if in_own_team {
            return Err(AppError::bad_input(
                "managerId",
                "a user cannot report to themselves or to someone in their own team",
            ));
        }
    }
    Ok(())
}

/// A user the actor may assign work to (owner, account manager, CSM, territory member),
/// or `BAD_USER_INPUT` on `field`.
pub async fn assignable<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> AppResult<users::Model> {
    users::Entity::find_by_id(id)
        .filter(policy::assignable_user_scope(actor))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                field,
                "must be an active internal user you may assign (your team, or yourself)",
            )
        })
}
