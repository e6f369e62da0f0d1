//! Partner organizations: the directors' list and administration.

use async_graphql::MaybeUndefined;

use super::patch::required;
use async_graphql::{Context, ID, InputObject, Object};
use entity::enums::{PartnerStatus, PartnerTier};

use super::{
    connection::{Conn, page_args, to_connection},
    context::{actor, state},
    users::Partner,
};
use crate::{
    domain::GlobalId,
    services::partners::{self as svc, NewPartner, PartnerChanges, PartnerFilter},
};

/// Narrows the partner list.
#[derive(InputObject, Default)]
pub struct PartnerFilterInput {
    /// Only partners in this status.
    pub status: Option<PartnerStatus>,
    /// Case-insensitive text in the name.
    pub search: Option<String>,
}

/// A new partner organization.
#[derive(InputObject)]
pub struct CreatePartnerInput {
    /// Unique, case-insensitively.
    pub name: String,
    /// Program tier it starts in.
    #[graphql(default_with = "PartnerTier::Registered")]
    pub tier: PartnerTier,
}

/// Omit a field to leave it unchanged; none of these may be cleared (`null` is refused).
#[derive(InputObject)]
pub struct UpdatePartnerInput {
    /// New name.
    pub name: MaybeUndefined<String>,
    /// New program tier.
    pub tier: MaybeUndefined<PartnerTier>,
    /// `SUSPENDED` ends access for the organization's users on their next request.
    pub status: MaybeUndefined<PartnerStatus>,
}

#[derive(Default)]
pub struct PartnerQuery;

#[Object]
impl PartnerQuery {
    /// Partner organizations, by name. Directors only.
    async fn partners(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Page backward: at most this many items before `before` (or from the end)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Page backward: items before this cursor (a `startCursor` or edge `cursor` you received)."
        )]
        before: Option<String>,
        #[graphql(desc = "Narrows the list; omitted, every row the caller may see.")]
        filter: Option<PartnerFilterInput>,
    ) -> async_graphql::Result<Conn<Partner>> {
        let filter = filter.unwrap_or_default();
        let f = PartnerFilter {
            status: filter.status,
            search: filter.search,
        };
        let page = page_args(first, after, last, before);
        let paged = svc::list(&state(ctx)?.db, actor(ctx)?, &f, &page).await?;
        to_connection(ctx, paged, Partner::from)
    }
}

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Directors only. A new organization is `ACTIVE`; add its users with `createUser`.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: CreatePartnerInput,
    ) -> async_graphql::Result<Partner> {
        let new = NewPartner {
            name: input.name,
            tier: input.tier,
        };
        Ok(svc::create(&state(ctx)?.db, actor(ctx)?, new).await?.into())
    }

    /// Directors only.
    async fn update_partner(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the partner organization.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: UpdatePartnerInput,
    ) -> async_graphql::Result<Partner> {
        let id = GlobalId::decode_as(&id, "Partner", "id")?;
        let changes = PartnerChanges {
            name: required(input.name, "name")?,
            tier: required(input.tier, "tier")?,
            status: required(input.status, "status")?,
        };
        Ok(svc::update(&state(ctx)?.db, actor(ctx)?, id, changes)
            .await?
            .into())
    }
}
