//! Per-request data and the accessors resolvers use to reach it.

use async_graphql::Context;

use super::loaders::Loaders;
use crate::{
    auth::{Actor, actor::Caller},
    error::AppError,
    state::AppState,
};

/// Attached to every request by the HTTP layer.
pub struct RequestData {
    pub caller: Caller,
    pub loaders: Loaders,
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

pub fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, AppError> {
    Ok(&request(ctx)?.loaders)
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
