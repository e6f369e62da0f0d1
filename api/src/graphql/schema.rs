//! The schema roots and the limits every request is held to.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    accounts::{AccountMutation, AccountQuery},
    activities::{ActivityMutation, ActivityQuery},
    audit::AuditQuery,
    auth::AuthMutation,
    handoffs::{HandoffMutation, HandoffQuery},
    leads::{LeadMutation, LeadQuery},
    node::NodeQuery,
    opportunities::{OpportunityMutation, OpportunityQuery},
    territories::{TerritoryMutation, TerritoryQuery},
    users::{UserMutation, UserQuery},
};
use crate::{config::Limits, state::AppState};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    NodeQuery,
    UserQuery,
    TerritoryQuery,
    AccountQuery,
    LeadQuery,
    OpportunityQuery,
    ActivityQuery,
    AuditQuery,
    HandoffQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AuthMutation,
    UserMutation,
    TerritoryMutation,
    AccountMutation,
    LeadMutation,
    OpportunityMutation,
    ActivityMutation,
    HandoffMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the served schema. `introspection` off also turns field suggestions off, so
/// that error messages cannot be used to map a hidden schema.
pub fn build_schema(state: Option<AppState>, limits: &Limits, introspection: bool) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_directives(limits.max_directives)
    .limit_recursive_depth(32);
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL checked in as `schema.graphql`.
pub fn export_sdl() -> String {
    let limits = Limits {
        max_depth: 100,
        max_complexity: 100_000,
        max_aliases: 100,
        max_directives: 100,
        max_body_bytes: 1 << 20,
        max_batch: 10,
    };
    build_schema(None, &limits, true).sdl()
}
