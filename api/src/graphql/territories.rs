//! Territories: the tree, its criteria and members.

use async_graphql::MaybeUndefined;

use super::patch::{patch_with, required};
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use entity::{enums::TerritoryRole, territories, territory_members};
use uuid::Uuid;

use super::{
    accounts::Account,
    connection::{Conn, nested, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::shared,
    users::User,
};
use crate::{
    domain::{GlobalId, criteria::Criteria},
    services::{
        placement::criteria_of,
        territories::{self as svc, NewTerritory, TerritoryChanges, TerritoryFilter},
    },
};

/// A node of the territory tree.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Territory {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the territory.
    pub name: String,
    /// 0 for a root.
    pub depth: i32,
    /// When it was created (ISO 8601, UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[graphql(skip)]
    pub model: territories::Model,
}

impl From<territories::Model> for Territory {
    fn from(m: territories::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Territory", m.id)),
            name: m.name.clone(),
            depth: m.depth,
            created_at: m.created_at,
            model: m,
        }
    }
}

/// Which accounts and leads a territory takes. Empty lists and open bounds match anything.
#[derive(SimpleObject, InputObject, Clone, Default)]
#[graphql(input_name = "CriteriaInput")]
pub struct TerritoryCriteria {
    /// ISO 3166 alpha-2 country codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Industries that belong here; empty means any industry.
    #[graphql(default)]
    pub industries: Vec<String>,
    /// Smallest company size that belongs here (employees), when bounded.
    pub min_employees: Option<i32>,
    /// Largest company size that belongs here (employees), when bounded.
    pub max_employees: Option<i32>,
}

impl From<TerritoryCriteria> for Criteria {
    fn from(c: TerritoryCriteria) -> Self {
        Criteria {
            countries: c.countries,
            industries: c.industries,
            min_employees: c.min_employees,
            max_employees: c.max_employees,
        }
    }
}

/// A user's membership of a territory.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TerritoryMember {
    /// Whether the user owns the territory or is a member.
    pub role_in_territory: TerritoryRole,
    #[graphql(skip)]
    pub user_id: Uuid,
}

#[ComplexObject]
impl TerritoryMember {
    /// The member, when the caller may see that user.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let u = loaders(ctx)?
            .users
            .load_one(self.user_id)
            .await
            .map_err(shared)?;
        Ok(u.map(User::from))
    }
}

#[ComplexObject]
impl Territory {
    /// The territory directly above, when any and visible to the caller.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Territory>> {
        let Some(id) = self.model.parent_id else {
            return Ok(None);
        };
        let t = loaders(ctx)?
            .territories
            .load_one(id)
            .await
            .map_err(shared)?;
        Ok(t.map(Territory::from))
    }

    /// The territories directly below that the caller may see.
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Territory>> {
        nested(
            ctx,
            &loaders(ctx)?.territory_children,
            self.model.id,
            first,
            after,
            Territory::from,
        )
        .await
    }

    /// The accountable sales manager.
    async fn manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.model.manager_id else {
            return Ok(None);
        };
        let u = loaders(ctx)?.users.load_one(id).await.map_err(shared)?;
        Ok(u.map(User::from))
    }

    /// The users assigned to the territory.
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TerritoryMember>> {
        super::budget::check(ctx)?;
        let rows = loaders(ctx)?
            .territory_members
            .load_one(self.model.id)
            .await
            .map_err(shared)?
            .unwrap_or_default();
        super::budget::draw_rows(ctx, rows.len())?;
        Ok(rows
            .into_iter()
            .map(|m: territory_members::Model| TerritoryMember {
                role_in_territory: m.role_in_territory,
                user_id: m.user_id,
            })
            .collect())
    }

    /// Which companies belong in the territory.
    async fn criteria(&self) -> TerritoryCriteria {
        let c = criteria_of(&self.model);
        TerritoryCriteria {
            countries: c.countries,
            industries: c.industries,
            min_employees: c.min_employees,
            max_employees: c.max_employees,
        }
    }

    /// Accounts assigned directly to this territory that the caller may see.
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forward: at most this many items (default 20, maximum 100).")] first: Option<i32>,
        #[graphql(
            desc = "Page forward: items after this cursor (an `endCursor` or edge `cursor` you received)."
        )]
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Account>> {
        nested(
            ctx,
            &loaders(ctx)?.territory_accounts,
            self.model.id,
            first,
            after,
            Account::from,
        )
        .await
    }
}

/// Narrows the territory list.
#[derive(InputObject, Default)]
pub struct TerritoryFilterInput {
    /// Direct children of this territory.
    pub parent_id: Option<ID>,
    /// This territory and its whole subtree.
    pub root_id: Option<ID>,
    /// Only territories without a parent.
    #[graphql(default)]
    pub roots_only: bool,
    /// Case-insensitive text in the name.
    pub search: Option<String>,
}

/// A new territory.
#[derive(InputObject)]
pub struct CreateTerritoryInput {
    /// Name of the territory.
    pub name: String,
    /// The territory it sits under (global id); omitted, a top-level territory.
    pub parent_id: Option<ID>,
    /// The user who owns it (global id), when any.
    pub manager_id: Option<ID>,
    /// Which companies belong in it.
    #[graphql(default)]
    pub criteria: TerritoryCriteria,
}

/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateTerritoryInput {
    /// New name; `null` is refused.
    pub name: MaybeUndefined<String>,
    /// The accountable sales manager; `null` leaves the territory without one.
    pub manager_id: MaybeUndefined<ID>,
    /// Replaces the criteria as a whole.
    pub criteria: MaybeUndefined<TerritoryCriteria>,
}

#[derive(Default)]
pub struct TerritoryQuery;

#[Object]
impl TerritoryQuery {
    /// Territories the caller may see: directors all, others their own with subtrees.
    async fn territories(
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
        filter: Option<TerritoryFilterInput>,
    ) -> async_graphql::Result<Conn<Territory>> {
        let actor = actor(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = TerritoryFilter {
            parent_id: opt_id(f.parent_id.as_ref(), "Territory", "parentId")?,
            root_id: opt_id(f.root_id.as_ref(), "Territory", "rootId")?,
            roots_only: f.roots_only,
            search: f.search,
        };
        let paged = svc::list(
            &state(ctx)?.db,
            actor,
            &filter,
            &page_args(first, after, last, before),
        )
        .await?;
        to_connection(ctx, paged, Territory::from)
    }

    /// One territory by id; `null` with a `NOT_FOUND` error when it is outside the
    /// caller's scope.
    async fn territory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory.")] id: ID,
    ) -> async_graphql::Result<Option<Territory>> {
        let id = GlobalId::decode_as(&id, "Territory", "id")?;
        Ok(Some(
            svc::get(&state(ctx)?.db, actor(ctx)?, id).await?.into(),
        ))
    }
}

#[derive(Default)]
pub struct TerritoryMutation;

#[Object]
impl TerritoryMutation {
    /// Directors only.
    async fn create_territory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: CreateTerritoryInput,
    ) -> async_graphql::Result<Territory> {
        let actor = actor(ctx)?;
        let new = NewTerritory {
            name: input.name,
            parent_id: opt_id(input.parent_id.as_ref(), "Territory", "parentId")?,
            manager_id: opt_id(input.manager_id.as_ref(), "User", "managerId")?,
            criteria: input.criteria.into(),
        };
        Ok(svc::create(state(ctx)?, actor, new).await?.into())
    }

    /// Directors only.
    async fn update_territory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: UpdateTerritoryInput,
    ) -> async_graphql::Result<Territory> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Territory", "id")?;
        let changes = TerritoryChanges {
            name: required(input.name, "name")?,
            manager_id: patch_with(input.manager_id, |raw| {
                GlobalId::decode_as(&raw, "User", "managerId")
            })?,
            criteria: required(input.criteria, "criteria")?.map(Into::into),
        };
        Ok(svc::update(state(ctx)?, actor, id, changes).await?.into())
    }

    /// Directors only. Moves the subtree under `parentId` (or to the top when omitted);
    /// a move into its own subtree is refused.
    async fn move_territory(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory to move.")] id: ID,
        #[graphql(desc = "The new parent territory (global id); `null` makes it top-level.")]
        parent_id: Option<ID>,
    ) -> async_graphql::Result<Territory> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "Territory", "id")?;
        let parent = opt_id(parent_id.as_ref(), "Territory", "parentId")?;
        Ok(svc::move_to(state(ctx)?, actor, id, parent).await?.into())
    }

    /// Directors, and sales managers for territories they are accountable for.
    async fn add_territory_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory.")] territory_id: ID,
        #[graphql(desc = "Global id of the user to add.")] user_id: ID,
        #[graphql(
            desc = "Owner or member; `MEMBER` when omitted.",
            default_with = "TerritoryRole::Member"
        )]
        role_in_territory: TerritoryRole,
    ) -> async_graphql::Result<Territory> {
        let actor = actor(ctx)?;
        let t = GlobalId::decode_as(&territory_id, "Territory", "territoryId")?;
        let u = GlobalId::decode_as(&user_id, "User", "userId")?;
        Ok(svc::add_member(state(ctx)?, actor, t, u, role_in_territory)
            .await?
            .into())
    }

    /// Removes a user from a territory; they lose the access it gave them.
    async fn remove_territory_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the territory.")] territory_id: ID,
        #[graphql(desc = "Global id of the user to remove.")] user_id: ID,
    ) -> async_graphql::Result<Territory> {
        let actor = actor(ctx)?;
        let t = GlobalId::decode_as(&territory_id, "Territory", "territoryId")?;
        let u = GlobalId::decode_as(&user_id, "User", "userId")?;
        Ok(svc::remove_member(state(ctx)?, actor, t, u).await?.into())
    }
}
