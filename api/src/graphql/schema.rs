//! The schema roots and the limits every request is held to.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    accounts::{AccountMutation, AccountQuery},
    activities::{ActivityMutation, ActivityQuery},
    audit::AuditQuery,
    auth::AuthMutation,
    deal_registrations::{DealRegistrationMutation, DealRegistrationQuery},
    handoffs::{HandoffMutation, HandoffQuery},
    leads::{LeadMutation, LeadQuery},
    node::NodeQuery,
    opportunities::{OpportunityMutation, OpportunityQuery},
    partners::{PartnerMutation, PartnerQuery},
    quotas::{QuotaMutation, QuotaQuery},
    reports::ReportQuery,
    subscription::SubscriptionRoot,
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
    PartnerQuery,
    DealRegistrationQuery,
    HandoffQuery,
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
    PartnerMutation,
    DealRegistrationMutation,
    HandoffMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the served schema. `introspection` off also turns field suggestions off, so
/// that error messages cannot be used to map a hidden schema.
pub fn build_schema(state: Option<AppState>, limits: &Limits, introspection: bool) -> AppSchema {
    build_internal(state, limits, introspection, false)
}

/// The internal schema; `planned` adds the extension that answers planned reads from
/// one statement (`compiled`), for the copy that serves only those.
fn build_internal(
    state: Option<AppState>,
    limits: &Limits,
    introspection: bool,
    planned: bool,
) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    // Depth and complexity are `cost::check`'s, before execution, with introspection
    // exempt and pages multiplied; the field budget (`budget.rs`) holds while lists
    // load. No extension: any resolve hook sends every field down the slow path.
    .limit_directives(limits.max_directives)
    .limit_recursive_depth(32);
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if planned {
        builder = builder.extension(super::compiled::CompiledReads);
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder = super::descriptions::describe(builder);
    builder.finish()
}

/// Limits that never get in the way of exporting or validating the schema.
fn unlimited() -> Limits {
    Limits {
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
    }
}

/// The SDL checked in as `schema.graphql`.
pub fn export_sdl() -> String {
    build_schema(None, &unlimited(), true).sdl()
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

/// The schema served to partner users: the same roots, pruned to the allowlist of
/// `policy::fields` (see `audience.rs`). Subscriptions stay empty for partners.
pub type PartnerSchema = Schema<
    super::audience::PartnerView<QueryRoot>,
    super::audience::PartnerView<MutationRoot>,
    EmptySubscription,
>;

/// Both schemas; the HTTP layer picks one per request from the caller's role.
#[derive(Clone)]
pub struct Schemas {
    pub internal: AppSchema,
    pub partner: PartnerSchema,
    /// The internal schema with `compiled::CompiledReads`, for planned reads: served
    /// on PostgreSQL with `SALESGRAPH_COMPILED_READS` on.
    pub planned: Option<AppSchema>,
}

impl Schemas {
    pub fn build(state: Option<AppState>, limits: &Limits, introspection: bool) -> Self {
        let planned = state
            .as_ref()
            .filter(|s| s.config.compiled_reads)
            .map(|s| build_internal(Some(s.clone()), limits, introspection, true));
        Self {
            internal: build_schema(state.clone(), limits, introspection),
            partner: build_partner_schema(state, limits, introspection),
            planned,
        }
    }

    /// Runs a request that `compiled::plan` planned (it carries `compiled::Planned`).
    pub async fn execute_planned(
        &self,
        request: async_graphql::Request,
    ) -> async_graphql::Response {
        match &self.planned {
            Some(schema) => schema.execute(request).await,
            None => self.internal.execute(request).await,
        }
    }

    /// Runs a request against the schema of `audience`.
    pub async fn execute(
        &self,
        audience: crate::auth::policy::fields::Audience,
        request: async_graphql::Request,
    ) -> async_graphql::Response {
        match audience {
            crate::auth::policy::fields::Audience::Internal => self.internal.execute(request).await,
            crate::auth::policy::fields::Audience::Partner => self.partner.execute(request).await,
        }
    }
}

/// Builds the partner schema with the same limits as the internal one.
pub fn build_partner_schema(
    state: Option<AppState>,
    limits: &Limits,
    introspection: bool,
) -> PartnerSchema {
    let mut builder = Schema::build(
        super::audience::PartnerView(QueryRoot::default()),
        super::audience::PartnerView(MutationRoot::default()),
        EmptySubscription,
    )
    // As the internal schema: cost before execution, the field budget while lists load.
    .limit_directives(limits.max_directives)
    .limit_recursive_depth(32);
    if !introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder = super::descriptions::describe(builder);
    builder.finish()
}

/// The SDL checked in as `schema.partner.graphql`.
pub fn export_partner_sdl() -> String {
    unserved_schemas().partner.sdl()
}

/// Both schemas without application state, for exporting and for tests that only
/// validate documents.
pub fn unserved_schemas() -> Schemas {
    Schemas::build(None, &unlimited(), true)
}
