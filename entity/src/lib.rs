//! SeaORM entities (one module per table) and the shared enums of the salesgraph data model.

pub mod accounts;
pub mod activities;
pub mod audit_events;
pub mod deal_registrations;
pub mod enums;
pub mod handoff_events;
pub mod handoffs;
pub mod leads;
pub mod login_throttles;
pub mod opportunities;
pub mod partners;
pub mod quotas;
pub mod refresh_tokens;
pub mod territories;
pub mod territory_members;
pub mod users;

pub use enums::*;

/// The Entity types under their table names (like sea-orm-cli's generated prelude).
pub mod prelude {
    pub use super::accounts::Entity as Accounts;
    pub use super::activities::Entity as Activities;
    pub use super::audit_events::Entity as AuditEvents;
    pub use super::deal_registrations::Entity as DealRegistrations;
    pub use super::handoff_events::Entity as HandoffEvents;
    pub use super::handoffs::Entity as Handoffs;
    pub use super::leads::Entity as Leads;
    pub use super::login_throttles::Entity as LoginThrottles;
    pub use super::opportunities::Entity as Opportunities;
    pub use super::partners::Entity as Partners;
    pub use super::quotas::Entity as Quotas;
    pub use super::refresh_tokens::Entity as RefreshTokens;
    pub use super::territories::Entity as Territories;
    pub use super::territory_members::Entity as TerritoryMembers;
    pub use super::users::Entity as Users;
}
