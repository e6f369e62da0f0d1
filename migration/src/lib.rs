//! Database migrations for salesgraph (SQLite and PostgreSQL).
//!
//! Run with `migration::Migrator::up(&db, None)`; each migration creates one table
//! (with its foreign keys inline, since SQLite cannot add them later) and its indexes.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_partners;
mod m20261122_000002_create_users;
mod m20261122_000003_create_login_throttles;
mod m20261122_000004_create_territories;
mod m20261122_000005_create_territory_members;
mod m20261122_000006_create_accounts;
mod m20261122_000007_create_leads;
mod m20261122_000008_create_opportunities;
mod m20261122_000009_create_activities;
mod m20261122_000010_create_handoffs;
mod m20261122_000011_create_handoff_events;
mod m20261122_000012_create_quotas;
mod m20261122_000013_create_deal_registrations;
mod m20261122_000014_create_audit_events;
mod m20261122_000015_create_refresh_tokens;
mod m20261122_000016_add_users_tokens_valid_after;
mod m20261201_000100_key_handoff_slots;
mod m20261201_000300_add_deal_registration_review;
mod m20261201_000400_index_sort_keys;

/// All migrations of the schema, in dependency order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_partners::Migration),
            Box::new(m20261122_000002_create_users::Migration),
            Box::new(m20261122_000003_create_login_throttles::Migration),
            Box::new(m20261122_000004_create_territories::Migration),
            Box::new(m20261122_000005_create_territory_members::Migration),
            Box::new(m20261122_000006_create_accounts::Migration),
            Box::new(m20261122_000007_create_leads::Migration),
            Box::new(m20261122_000008_create_opportunities::Migration),
            Box::new(m20261122_000009_create_activities::Migration),
            Box::new(m20261122_000010_create_handoffs::Migration),
            Box::new(m20261122_000011_create_handoff_events::Migration),
            Box::new(m20261122_000012_create_quotas::Migration),
            Box::new(m20261122_000013_create_deal_registrations::Migration),
            Box::new(m20261122_000014_create_audit_events::Migration),
            Box::new(m20261122_000015_create_refresh_tokens::Migration),
            Box::new(m20261122_000016_add_users_tokens_valid_after::Migration),
            Box::new(m20261201_000300_add_deal_registration_review::Migration),
            Box::new(m20261201_000100_key_handoff_slots::Migration),
            Box::new(m20261201_000400_index_sort_keys::Migration),
        ]
    }
}
