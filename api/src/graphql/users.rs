//! Users and partners: types, the directory query and user administration.

use async_graphql::MaybeUndefined;

use super::patch::{patch_with, required};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::{
    enums::{PartnerStatus, PartnerTier, Role},
    partners, users,
};
use uuid::Uuid;

use super::{
    connection::{Conn, page_args, to_connection},
    context::{actor, loaders, opt_id, state},
    loaders::shared,
};
use crate::{
    auth::policy::Action,
    domain::GlobalId,
    services::users::{self as svc, NewUser, UserChanges, UserFilter, UserOrder, UserOrderField},
};

/// A person who signs in: an internal seller or manager, or a partner's user.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Email address; also the login name. Unique, compared case-insensitively.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Role in the sales organization; it decides what the user may see and do.
    pub role: Role,
    /// Whether the user may sign in; deactivated users keep their history.
    pub active: bool,
    /// When the user was created (ISO 8601, UTC).
    pub created_at: super::scalars::DateTime,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub manager_id: Option<Uuid>,
    #[graphql(skip)]
    pub partner_id: Option<Uuid>,
}

impl From<users::Model> for User {
    fn from(m: users::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("User", m.id)),
            email: m.email,
            name: m.name,
            role: m.role,
            active: m.active,
            created_at: m.created_at.into(),
            uuid: m.id,
            manager_id: m.manager_id,
            partner_id: m.partner_id,
        }
    }
}

#[ComplexObject]
impl User {
    /// The user's manager, when the caller may see them.
    async fn manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.manager_id else {
            return Ok(None);
        };
        let user = loaders(ctx)?.users.load_one(id).await.map_err(shared)?;
        Ok(user.map(User::from))
    }

    /// The partner organization of a partner user.
    async fn partner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Partner>> {
        let Some(id) = self.partner_id else {
            return Ok(None);
        };
        let partner = loaders(ctx)?.partners.load_one(id).await.map_err(shared)?;
        Ok(partner.map(Partner::from))
    }

    /// The user's team: direct reports, or with `transitive` everyone whose manager
    /// chain reaches this user. Only users the caller may see are listed.
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "`true` for everyone below this user in the manager chain; `false` (default) for direct reports only.",
            default = false
        )]
        transitive: bool,
    ) -> async_graphql::Result<Vec<User>> {
        super::budget::check(ctx)?;
        let loaders = loaders(ctx)?;
        let rows = if transitive {
            loaders.teams.load_one(self.uuid).await
        } else {
            loaders.reports.load_one(self.uuid).await
        }
        .map_err(shared)?
        .unwrap_or_default();
        super::budget::draw_rows(ctx, rows.len())?;
        Ok(rows.into_iter().map(User::from).collect())
    }

    /// The user's quotas the caller may see (`me { quotas }` lists one's own), with
    /// actual and attainment computed for all of them at once. Internal users only
    /// (the partner schema does not have it; the quota scope gives partners none).
    async fn quotas(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this fiscal period, e.g. `FY2026-Q3`.")] period: Option<String>,
    ) -> async_graphql::Result<Vec<super::quotas::Quota>> {
        let st = state(ctx)?;
        let period = period
            .as_deref()
            .map(|p| crate::domain::Period::parse(p, "period"))
            .transpose()?;
        // Checked here too: a refusal shared by a batch's keys would lose its code.
        crate::auth::policy::require(actor(ctx)?, Action::ReadQuotas)?;
        let wants = super::quotas::wanted_figures(ctx.look_ahead());
        // Every user of the list in one batch: one statement for the quotas and one
        // per kind of figure, whatever the number of users.
        let key = super::quota_loader::QuotaKey {
            user: self.uuid,
            period,
            actual: wants.actual,
            reconcile: wants.reconcile,
            fiscal_month: st.config.fiscal_year_start_month,
        };
        super::budget::check(ctx)?;
        let Some(found) = loaders(ctx)?
            .user_quotas
            .load_one(key)
            .await
            .map_err(shared)?
        else {
            return Ok(Vec::new());
        };
        super::budget::draw_rows(ctx, found.rows.len())?;
        Ok(found
            .rows
            .into_iter()
            .map(|m| super::quotas::to_quota(st, &found.figures, m))
            .collect())
    }
}

/// A reseller organization.
#[derive(SimpleObject, Clone)]
pub struct Partner {
    /// Global id; use it with `node(id:)` and in mutations.
    pub id: ID,
    /// Name of the partner organization.
    pub name: String,
    /// Partner program tier.
    pub tier: PartnerTier,
    /// Whether the partner may act.
    pub status: PartnerStatus,
}

impl From<partners::Model> for Partner {
    fn from(m: partners::Model) -> Self {
        Self {
            id: ID(GlobalId::encode("Partner", m.id)),
            name: m.name,
            tier: m.tier,
            status: m.status,
        }
    }
}

/// Narrows the user directory; all conditions must hold.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (`true`) or only deactivated (`false`) users.
    pub active: Option<bool>,
    /// Only direct reports of this manager (global id).
    pub manager_id: Option<ID>,
    /// Case-insensitive text in the name or email.
    pub search: Option<String>,
}

/// Sort direction.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first (A to Z, oldest first).
    #[default]
    Asc,
    /// Largest first (Z to A, newest first).
    Desc,
}

/// How to sort users.
#[derive(InputObject)]
pub struct UserOrderInput {
    /// The field to sort by.
    pub field: UserOrderField,
    /// Ascending or descending; ascending when omitted.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Email address; also the login name. Must be unused.
    pub email: String,
    /// Full name.
    pub name: String,
    /// Role in the sales organization.
    pub role: Role,
    /// 12 to 128 characters.
    pub password: String,
    /// Their manager (global id), when any.
    pub manager_id: Option<ID>,
    /// Required for `PARTNER` users, refused for everyone else.
    pub partner_id: Option<ID>,
}

/// Omit a field to leave it unchanged; send `null` to clear a field that may be empty.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// New email address; `null` is refused.
    pub email: MaybeUndefined<String>,
    /// New full name; `null` is refused.
    pub name: MaybeUndefined<String>,
    /// New role (directors only); `null` is refused.
    pub role: MaybeUndefined<Role>,
    /// `null` leaves the user without a manager.
    pub manager_id: MaybeUndefined<ID>,
    /// Partner users only; `null` is refused for them.
    pub partner_id: MaybeUndefined<ID>,
    /// New password; `null` is refused.
    pub password: MaybeUndefined<String>,
    /// `false` deactivates, `true` reactivates; `null` is refused.
    pub active: MaybeUndefined<bool>,
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        // The request already read the caller's row to authenticate it.
        Ok(actor(ctx)?.user.clone().into())
    }

    /// The user directory, as far as the caller may see it.
    #[allow(clippy::too_many_arguments)]
    async fn users(
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
        filter: Option<UserFilterInput>,
        #[graphql(desc = "Sort order; omitted, the list's default order.")] order_by: Option<
            UserOrderInput,
        >,
    ) -> async_graphql::Result<Conn<User>> {
        let actor = actor(ctx)?;
        let filter = filter.unwrap_or_default();
        let svc_filter = UserFilter {
            role: filter.role,
            active: filter.active,
            manager_id: opt_id(filter.manager_id.as_ref(), "User", "managerId")?,
            search: filter.search,
        };
        let order = order_by.map_or_else(UserOrder::default, |o| UserOrder {
            field: o.field,
            descending: o.direction == OrderDirection::Desc,
        });
        let page = page_args(first, after, last, before);
        let paged = svc::list(&state(ctx)?.db, actor, &svc_filter, order, &page).await?;
        to_connection(ctx, paged, User::from)
    }
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Directors only.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The values to submit.")] input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let new = NewUser {
            email: input.email,
            name: input.name,
            role: input.role,
            password: input.password,
            manager_id: opt_id(input.manager_id.as_ref(), "User", "managerId")?,
            partner_id: opt_id(input.partner_id.as_ref(), "Partner", "partnerId")?,
        };
        Ok(svc::create(state(ctx)?, actor, new).await?.into())
    }

    /// Directors only. A role change, deactivation or password reset ends the user's sessions.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the user.")] id: ID,
        #[graphql(desc = "The values to submit.")] input: UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "User", "id")?;
        let changes = UserChanges {
            email: required(input.email, "email")?,
            name: required(input.name, "name")?,
            role: required(input.role, "role")?,
            manager_id: patch_with(input.manager_id, |raw| {
                GlobalId::decode_as(&raw, "User", "managerId")
            })?,
            partner_id: patch_with(input.partner_id, |raw| {
                GlobalId::decode_as(&raw, "Partner", "partnerId")
            })?,
            password: required(input.password, "password")?,
            active: required(input.active, "active")?,
        };
        Ok(
            svc::update(state(ctx)?, actor, id, changes, Action::UpdateUser)
                .await?
                .into(),
        )
    }

    /// Directors only: the user loses access on their next request.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the user to deactivate.")] id: ID,
    ) -> async_graphql::Result<User> {
        let actor = actor(ctx)?;
        let id = GlobalId::decode_as(&id, "User", "id")?;
        let changes = UserChanges {
            active: Some(false),
            ..Default::default()
        };
        Ok(
            svc::update(state(ctx)?, actor, id, changes, Action::DeactivateUser)
                .await?
                .into(),
        )
    }
}
