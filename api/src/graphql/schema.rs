//! The schema roots and the limits every request is held to.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    accounts::{AccountMutation, AccountQuery},
    activities::{ActivityMutation, ActivityQuery},
    audit::AuditQuery,
    auth::AuthMutation,
    deal_registrations::{DealRegistrationMutation, DealRegistrationQuery},
    leads::{LeadMutation, LeadQuery},
    node::NodeQuery,
    opportunities::{OpportunityMutation, OpportunityQuery},
    partners::{PartnerMutation, PartnerQuery},
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
    PartnerQuery,
    DealRegistrationQuery,
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
    PartnerMutation,
    DealRegistrationMutation,
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
}

impl Schemas {
    pub fn build(state: Option<AppState>, limits: &Limits, introspection: bool) -> Self {
        Self {
            internal: build_schema(state.clone(), limits, introspection),
            partner: build_partner_schema(state, limits, introspection),
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

/// The SDL checked in as `schema.partner.graphql`.
pub fn export_partner_sdl() -> String {
    unserved_schemas().partner.sdl()
}

/// Both schemas without application state, for exporting and for tests that only
/// validate documents.
pub fn unserved_schemas() -> Schemas {
    let limits = Limits {
        max_depth: 100,
        max_complexity: 100_000,
        max_aliases: 100,
        max_directives: 100,
        max_body_bytes: 1 << 20,
        max_batch: 10,
    };
    Schemas::build(None, &limits, true)
}
