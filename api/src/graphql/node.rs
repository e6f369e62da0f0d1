//! Relay global object identification: the `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};

use super::{
    context::{actor, loaders, state},
    loaders::shared,
    users::{Partner, User},
};
use crate::{domain::GlobalId, error::AppError, services};

#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub enum Node {
    User(User),
    Partner(Partner),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; objects outside the caller's scope are `NOT_FOUND`.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Node> {
        let actor = actor(ctx)?;
        let gid = GlobalId::decode(&id, "id")?;
        let db = &state(ctx)?.db;
        let node = match gid.type_name {
            "User" => Node::User(services::users::get(db, actor, gid.id).await?.into()),
            "Partner" => Node::Partner(
                loaders(ctx)?
                    .partners
                    .load_one(gid.id)
                    .await
                    .map_err(shared)?
                    .ok_or_else(|| AppError::not_found("Partner"))?
                    .into(),
            ),
            other => return Err(AppError::not_found(type_label(other)).into()),
        };
        Ok(node)
    }
}

fn type_label(name: &str) -> &'static str {
    GlobalId::decode(&GlobalId::encode(name, uuid::Uuid::nil()), "id")
        .map(|g| g.type_name)
        .unwrap_or("Node")
}
