//! The schema roots and the limits every request is held to.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    accounts::{AccountMutation, AccountQuery},
    activities::{ActivityMutation, ActivityQuery},
    audit::AuditQuery,
    auth::AuthMutation,
    budget::FieldBudget,
    leads::{LeadMutation, LeadQuery},
    node::NodeQuery,
    opportunities::{OpportunityMutation, OpportunityQuery},
    quotas::{QuotaMutation, QuotaQuery},
    reports::ReportQuery,
    territories::{TerritoryMutation, TerritoryQuery},
    users::{UserMutation, UserQuery},
};
use crate::{config::Limits, state::AppState};

/// Every read: start here.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    NodeQuery,
    UserQuery,
    TerritoryQuery,
    AccountQuery,
    LeadQuery,
    OpportunityQuery,
    ActivityQuery,
    AuditQuery,
    QuotaQuery,
    ReportQuery,
);

/// Every change: each mutation runs in one transaction and records an audit event.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    AuthMutation,
    UserMutation,
    TerritoryMutation,
    AccountMutation,
    LeadMutation,
    OpportunityMutation,
    ActivityMutation,
    QuotaMutation,
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
    // Depth and complexity are `cost::check`'s, before execution, with introspection
    // exempt and pages multiplied; the field budget holds while resolving.
    .extension(FieldBudget {
        max_fields: limits.max_fields,
    })
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
        max_root_fields: 100,
        max_duplicate_fields: 100,
        max_fields: 1_000_000,
        request_timeout: std::time::Duration::from_secs(60),
        statement_timeout: std::time::Duration::from_secs(60),
    };
    build_schema(None, &limits, true).sdl()
}

/// The cost limits of the configuration, for `cost::check`.
pub fn cost_limits(limits: &Limits) -> super::cost::CostLimits {
    super::cost::CostLimits {
        max_depth: limits.max_depth,
        max_complexity: limits.max_complexity as u64,
        max_aliases: limits.max_aliases,
        max_root_fields: limits.max_root_fields,
        max_duplicate_fields: limits.max_duplicate_fields,
    }
}
