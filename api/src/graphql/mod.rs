//! The GraphQL API: the schema roots and one module per domain (types, inputs, resolvers).
//! Resolvers are thin: read the actor, call a service, convert the result.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod child_page;
pub mod connection;
pub mod context;
pub mod leads;
pub mod loaders;
pub mod node;
pub mod opportunities;
pub mod schema;
pub mod territories;
pub mod users;

pub use schema::{AppSchema, build_schema, export_sdl};
