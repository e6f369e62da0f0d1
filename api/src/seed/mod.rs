//! Data sets: the demo organization and the deterministic large data set for benchmarks.

pub mod demo;
pub mod scale;

use chrono::Utc;
use entity::{enums::Role, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    auth::password::Passwords,
    domain::{Email, text},
    error::{AppError, AppResult},
};

/// Creates an internal user from the command line (no actor: the operator is trusted).
pub async fn create_user(
    db: &DatabaseConnection,
    passwords: &Passwords,
    email: &str,
    name: &str,
    role: Role,
    manager_email: Option<&str>,
    password: &str,
) -> AppResult<users::Model> {
    let email = Email::parse(email, "email")?;
    let name = text::required(name, "name", 200)?;
    text::password(password, "password")?;
    if users::Entity::find()
        .filter(users::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::bad_input("email", "is already in use"));
    }
    let manager_id = match manager_email {
        None => None,
        Some(m) => {
            let m = Email::parse(m, "manager")?;
            let manager = users::Entity::find()
                .filter(users::Column::Email.eq(m.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| AppError::bad_input("manager", "no user has that email"))?;
            Some(manager.id)
        }
    };
    let now = Utc::now();
    Ok(users::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email.into_string()),
        name: Set(name),
        role: Set(role),
        manager_id: Set(manager_id),
        partner_id: Set(None),
        active: Set(true),
        password_hash: Set(passwords.hash(password).await?),
        created_at: Set(now),
        updated_at: Set(now),
        tokens_valid_after: Set(None),
    }
    .insert(db)
    .await?)
}
