//! The GraphQL API: the schema roots and one module per domain (types, inputs, resolvers).
//! Resolvers are thin: read the actor, call a service, convert the result.

pub mod auth;
pub mod connection;
pub mod context;
pub mod loaders;
pub mod node;
pub mod schema;
pub mod users;

pub use schema::{AppSchema, build_schema, export_sdl};
