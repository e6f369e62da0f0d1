//! The demo organization seeded into an empty development database: one login per role,
//! two teams, two partners, a territory tree and enough deals that every row scope has
//! something to show and something to hide. Its content (ids included) is identical on
//! every run: ids are derived from the rows' names and dates from a fixed anchor day.
//!
//! `data` holds the tables, `rows` turns them into ActiveModels with the helpers below.

mod data;
mod rows;
#[cfg(test)]
pub(crate) mod tests;

use chrono::{DateTime, Days, Utc};
use entity::enums::{ForecastCategory, Stage};
use entity::users;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait};
use uuid::Uuid;

use self::data::{ANCHOR, O, On, S};
use self::rows::{
    account_rows, activity_rows, deal_rows, handoff_rows, lead_rows, member_rows, opportunity_rows,
    partner_rows, quota_rows, territory_rows, user_rows,
};
use super::scale::{SplitMix64, at};
use crate::{auth::password::Passwords, error::AppResult, state::AppState};

pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_LOGINS: [&str; 7] = [
    "sdr@demo.example",
    "ae@demo.example",
    "am@demo.example",
    "cs@demo.example",
    "manager@demo.example",
    "director@demo.example",
    "partner@demo.example",
];

/// Seeds the demo organization in one transaction; `false` (and nothing written) when the
/// database already has users.
pub async fn seed(db: &DatabaseConnection, passwords: &Passwords) -> AppResult<bool> {
    if users::Entity::find().one(db).await?.is_some() {
        return Ok(false);
    }
    let hash = passwords.hash(DEMO_PASSWORD).await?;
    let txn = crate::db::begin_write(db).await?;
    // Checked again inside the transaction: another process may have seeded meanwhile.
    if users::Entity::find().one(&txn).await?.is_some() {
        return Ok(false);
    }
    insert(&txn, partner_rows()).await?;
    insert(&txn, user_rows(&hash)).await?;
    insert(&txn, territory_rows()?).await?;
    insert(&txn, member_rows()).await?;
    insert(&txn, account_rows()).await?;
    insert(&txn, lead_rows()).await?;
    insert(&txn, opportunity_rows()).await?;
    insert(&txn, activity_rows()).await?;
    let (handoff_rows, event_rows) = handoff_rows();
    insert(&txn, handoff_rows).await?;
    insert(&txn, event_rows).await?;
    insert(&txn, quota_rows()).await?;
    insert(&txn, deal_rows()).await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn seed_if_empty(state: &AppState) -> AppResult<bool> {
    seed(&state.db, &state.passwords).await
}

async fn insert<A: ActiveModelTrait + Send>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
) -> AppResult<()> {
    A::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

// How the tables' handles, names, day offsets and dollar amounts become column values.

fn days_ago(days: u64) -> DateTime<Utc> {
    at(ANCHOR - Days::new(days), 10)
}

/// A stable id per (table, key): the same demo rows get the same ids on every run.
fn id(table: &str, key: &str) -> Uuid {
    let fnv = table
        .bytes()
        .chain([b'/'])
        .chain(key.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    SplitMix64::new(fnv).uuid()
}
fn user(handle: &str) -> Uuid {
    id("users", handle)
}
fn opt_user(handle: O) -> Option<Uuid> {
    handle.map(user)
}
fn subject(on: On) -> (S, Uuid) {
    match on {
        On::Lead(k) => ("lead", id("leads", k)),
        On::Account(k) => ("account", id("accounts", k)),
        On::Opp(k) => ("opportunity", id("opportunities", k)),
        On::Registration(k) => ("registration", id("deal_registrations", k)),
    }
}
fn cents(dollars: i64) -> i64 {
    dollars * 100
}
fn email(handle: &str) -> String {
    format!("{handle}@demo.example")
}
fn contact_email(contact: &str, domain: &str) -> String {
    let first = contact.split(' ').next().unwrap_or(contact);
    format!("{}@{domain}", first.to_lowercase())
}

/// The stage's default probability and forecast category, as the API sets them.
pub(super) fn stage_forecast(stage: Stage) -> (i32, ForecastCategory) {
    crate::domain::pipeline::stage_defaults(stage)
}
