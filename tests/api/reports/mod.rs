//! Quotas and territory reports: the hand-computed fixture, access rules, statement
//! counts, and the CSV and printable forms.

mod access;
mod correctness;
pub mod downloads;
mod fixture;
mod page;
mod quotas;
mod user_quotas;
