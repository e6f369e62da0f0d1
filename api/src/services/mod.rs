//! Use cases, one file per domain. Every public function takes the actor (or is the
//! login itself), applies the policy, and runs its SQL; mutations run in one transaction.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod leads;
pub mod opportunities;
pub mod page;
pub mod placement;
pub mod territories;
pub mod users;
