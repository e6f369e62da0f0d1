//! Per-request data and the accessors resolvers use to reach it.

use std::sync::Arc;

use async_graphql::Context;

use super::{
    budget::FieldBudget,
    loaders::{LoaderSet, Loaders},
};
use crate::{
    auth::{Actor, actor::Caller},
    error::AppError,
    state::AppState,
};

/// Attached to every request by the HTTP layer.
pub struct RequestData {
    pub caller: Caller,
    pub loaders: Loaders,
    /// What the response may still hold (see `budget`).
    pub budget: Arc<FieldBudget>,
}

impl RequestData {
    pub fn new(caller: Caller, loaders: Loaders, max_fields: usize) -> Self {
        Self {
            caller,
            loaders,
            budget: Arc::new(FieldBudget::new(max_fields)),
        }
    }
}

pub fn state<'a>(ctx: &Context<'a>) -> Result<&'a AppState, AppError> {
    ctx.data::<AppState>()
        .map_err(|_| AppError::internal("application state missing from schema"))
}

fn request<'a>(ctx: &Context<'a>) -> Result<&'a RequestData, AppError> {
    ctx.data::<RequestData>()
        .map_err(|_| AppError::internal("request data missing"))
}

/// The authenticated caller, or `UNAUTHENTICATED`.
pub fn actor<'a>(ctx: &Context<'a>) -> Result<&'a Actor, AppError> {
    request(ctx)?.caller.actor()
}

/// The request's field budget; none outside a served request.
pub fn budget<'a>(ctx: &Context<'a>) -> Option<&'a FieldBudget> {
    ctx.data_opt::<RequestData>().map(|r| &*r.budget)
}

/// The loaders for the field being resolved: its path's own set, so that a batch never
/// mixes the keys of two levels (see `loader_sets`).
pub fn loaders(ctx: &Context<'_>) -> Result<Arc<LoaderSet>, AppError> {
    Ok(request(ctx)?.loaders.at(ctx.path_node.as_ref()))
}

/// Decodes an optional global id argument of type `type_name`; `field` names it in errors.
pub fn opt_id(
    raw: Option<&async_graphql::ID>,
    type_name: &str,
    field: &str,
) -> Result<Option<uuid::Uuid>, AppError> {
    raw.map(|id| crate::domain::GlobalId::decode_as(id, type_name, field))
        .transpose()
}
