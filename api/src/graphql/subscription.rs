//! The `Subscription` root: live handoff events, served over WebSocket
//! (`graphql-transport-ws`, see `ws.rs`).

use async_graphql::{Context, Subscription};
use entity::enums::HandoffKind;
use futures_util::Stream;

use super::{
    context::{RequestData, actor, state},
    handoffs::HandoffEvent,
};
use crate::{
    auth::policy::{self, Action},
    error::AppError,
    events::SocketCtl,
    services::handoffs::HandoffDirection,
};

#[derive(Default)]
pub struct SubscriptionRoot;

/// Live events over WebSocket at `/graphql` (the `graphql-transport-ws` protocol, the
/// access token in `connection_init`). Partner users have none.
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Every transition of a handoff the caller may see, as it is committed: the
    /// sender, the recipient, their managers and directors receive it. Each event is
    /// checked against the caller's current access; a deactivated user's socket is
    /// closed. After a reconnect, `handoffs(filter: {updatedSince:})` catches up.
    async fn handoff_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default, desc = "Only these kinds; all when empty.")] kind: Vec<HandoffKind>,
        #[graphql(desc = "Only handoffs sent to (`INCOMING`) or by (`OUTGOING`) the caller.")]
        direction: Option<HandoffDirection>,
    ) -> async_graphql::Result<impl Stream<Item = HandoffEvent>> {
        let actor = actor(ctx)?;
        policy::require(actor, Action::ReadHandoffs)?;
        let ctl = ctx.data::<SocketCtl>().map_err(|_| {
            AppError::bad_input(
                "subscription",
                "subscriptions are served over WebSocket (graphql-transport-ws) at /graphql",
            )
        })?;
        let reg = state(ctx)?.hub.register(actor, kind, direction, ctl);
        // Each event is answered as a request of its own, with a fresh field budget.
        let budget = ctx
            .data::<RequestData>()
            .map(|r| r.budget.clone())
            .map_err(|_| AppError::internal("request data missing"))?;
        Ok(futures_util::stream::unfold(reg, move |mut reg| {
            let budget = budget.clone();
            async move {
                let event = reg.rx.recv().await?;
                budget.reset();
                Some((HandoffEvent::live(&event), reg))
            }
        }))
    }
}
