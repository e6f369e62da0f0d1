//! The GraphQL API: the schema roots and one module per domain (types, inputs, resolvers).
//! Resolvers are thin: read the actor, call a service, convert the result.

pub mod accounts;
pub mod activities;
pub mod admit;
pub mod audience;
pub mod audit;
pub mod auth;
pub mod budget;
pub mod child_page;
pub mod compiled;
pub mod connection;
pub mod context;
pub mod cost;
pub mod deal_registrations;
pub mod descriptions;
pub mod document;
pub mod edge;
pub mod handoffs;
pub mod leads;
pub mod loader_sets;
pub mod loaders;
pub mod node;
pub mod nulls;
pub mod opportunities;
pub mod order;
pub mod panic_guard;
pub mod partners;
pub mod patch;
pub mod projection;
pub mod quota_loader;
pub mod quotas;
pub mod reports;
pub mod scalars;
pub mod schema;
pub mod subscription;
pub mod territories;
pub mod users;

pub use schema::{AppSchema, PartnerSchema, Schemas, build_schema, export_partner_sdl, export_sdl};
