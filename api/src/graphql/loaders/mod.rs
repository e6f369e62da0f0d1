//! DataLoaders: every relation is fetched in one scoped query per request level, so the
//! number of SQL statements does not grow with the page size.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{
    accounts, activities, handoff_events, handoffs, leads, opportunities, partners, territories,
    territory_members, users,
};
use sea_orm::{Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use super::child_page::{ChildPage, ChildRows, PageKey};
pub use crate::services::page::key_in;
use crate::services::{narrow::Narrow, prefetch::KnownUsers};
use crate::{auth::Actor, error::AppError, services};

pub use super::loader_sets::Loaders;

mod people;

pub use people::{PartnerLoader, ReportsLoader, TeamLoader, UserLoader, UserNameLoader};

/// The loaders of one field path of a request (see [`Loaders`]); each applies the
/// caller's scope in its SQL.
pub struct LoaderSet {
    scope: Arc<Scope>,
    pub users: DataLoader<UserLoader>,
    pub user_names: DataLoader<UserNameLoader>,
    pub reports: DataLoader<ReportsLoader>,
    /// Whole teams (`reports(transitive: true)`), one recursive statement per level.
    pub teams: DataLoader<TeamLoader>,
    pub partners: DataLoader<PartnerLoader>,
    pub territories: DataLoader<ById<territories::Entity>>,
    pub accounts: DataLoader<ById<accounts::Entity>>,
    pub leads: DataLoader<ById<leads::Entity>>,
    pub opportunities: DataLoader<ById<opportunities::Entity>>,
    pub territory_members: DataLoader<MembersLoader>,
    pub territory_children: DataLoader<ChildPage<territories::Entity>>,
    pub territory_accounts: DataLoader<ChildPage<accounts::Entity>>,
    pub account_opportunities: DataLoader<ChildPage<opportunities::Entity>>,
    pub account_leads: DataLoader<ChildPage<leads::Entity>>,
    pub account_activities: DataLoader<ChildPage<activities::Entity>>,
    pub lead_activities: DataLoader<ChildPage<activities::Entity>>,
    pub opportunity_activities: DataLoader<ChildPage<activities::Entity>>,
    pub handoffs: DataLoader<ById<handoffs::Entity>>,
    pub lead_handoffs: DataLoader<ChildPage<handoffs::Entity>>,
    pub account_handoffs: DataLoader<ChildPage<handoffs::Entity>>,
    pub handoff_events: DataLoader<ChildPage<handoff_events::Entity>>,
    /// `User.quotas` of a whole list of users (see `quota_loader`).
    pub user_quotas: DataLoader<super::quota_loader::QuotaLoader>,
}

/// A DataLoader whose batches wait until the resolvers have queued every key of the
/// current level. async-graphql dispatches a batch 1 ms after its first key; a large
/// list is resolved in several scheduler slices (join_all over many futures yields
/// cooperatively), so a timer alone can split one level's keys into two batches. The
/// yields below let the resolver task run its remaining slices first, so a level costs
/// one statement per loader whatever the page size.
fn loader<T: Loader<Uuid> + Send + Sync + 'static>(t: T) -> DataLoader<T> {
    DataLoader::new(t, spawn_after_yields)
}

fn page_loader<T: Loader<PageKey> + Send + Sync + 'static>(t: T) -> DataLoader<T> {
    DataLoader::new(t, spawn_after_yields)
}

pub(super) fn spawn_after_yields(
    fut: futures_util::future::BoxFuture<'static, ()>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for _ in 0..BATCH_YIELDS {
            tokio::task::yield_now().await;
        }
        fut.await;
    })
}

const BATCH_YIELDS: usize = 32;

impl LoaderSet {
    pub(super) fn new(s: &Arc<Scope>) -> Self {
        use crate::auth::policy;
        Self {
            scope: s.clone(),
            users: loader(UserLoader(s.clone())),
            user_names: loader(UserNameLoader(s.clone())),
            reports: loader(ReportsLoader(s.clone())),
            teams: loader(TeamLoader(s.clone())),
            partners: loader(PartnerLoader(s.clone())),
            territories: loader(ById::new(
                s,
                territories::Column::Id,
                policy::territory_scope,
            )),
            accounts: loader(ById::new(s, accounts::Column::Id, policy::account_scope)),
            leads: loader(ById::new(s, leads::Column::Id, policy::lead_scope)),
            opportunities: loader(ById::new(
                s,
                opportunities::Column::Id,
                policy::opportunity_scope,
            )),
            territory_members: loader(MembersLoader(s.clone())),
            territory_children: page_loader(ChildPage::<territories::Entity>::new(
                s,
                territories::Column::ParentId,
                |m| m.parent_id,
                policy::territory_scope,
                "name, id",
            )),
            territory_accounts: page_loader(
                ChildPage::<accounts::Entity>::new(
                    s,
                    accounts::Column::TerritoryId,
                    |m| m.territory_id,
                    policy::account_scope,
                    "name, id",
                )
                .narrowed(
                    <accounts::Entity as Narrow>::DECODE,
                    super::projection::ACCOUNT,
                ),
            ),
            account_opportunities: page_loader(
                ChildPage::<opportunities::Entity>::new(
                    s,
                    opportunities::Column::AccountId,
                    |m| Some(m.account_id),
                    policy::opportunity_scope,
                    "close_date, id",
                )
                .with_owner(opportunities::Column::OwnerId)
                .narrowed(
                    <opportunities::Entity as Narrow>::DECODE,
                    super::projection::OPPORTUNITY,
                ),
            ),
            account_leads: page_loader(ChildPage::<leads::Entity>::new(
                s,
                leads::Column::AccountId,
                |m| m.account_id,
                policy::lead_scope,
                "created_at, id",
            )),
            account_activities: page_loader(ChildPage::<activities::Entity>::new(
                s,
                activities::Column::AccountId,
                |m| m.account_id,
                policy::activity_scope,
                "occurred_at DESC, id",
            )),
            lead_activities: page_loader(ChildPage::<activities::Entity>::new(
                s,
                activities::Column::LeadId,
                |m| m.lead_id,
                policy::activity_scope,
                "occurred_at DESC, id",
            )),
            opportunity_activities: page_loader(ChildPage::<activities::Entity>::new(
                s,
                activities::Column::OpportunityId,
                |m| m.opportunity_id,
                policy::activity_scope,
                "occurred_at DESC, id",
            )),
            handoffs: loader(ById::new(s, handoffs::Column::Id, policy::handoff_scope)),
            lead_handoffs: page_loader(ChildPage::<handoffs::Entity>::new(
                s,
                handoffs::Column::LeadId,
                |m| m.lead_id,
                policy::handoff_scope,
                "created_at DESC, id",
            )),
            account_handoffs: page_loader(ChildPage::<handoffs::Entity>::new(
                s,
                handoffs::Column::AccountId,
                |m| m.account_id,
                policy::handoff_scope,
                "created_at DESC, id",
            )),
            handoff_events: page_loader(ChildPage::<handoff_events::Entity>::new(
                s,
                handoff_events::Column::HandoffId,
                |m| Some(m.handoff_id),
                policy::handoff_event_scope,
                "at, id",
            )),
            user_quotas: DataLoader::new(
                super::quota_loader::QuotaLoader(s.clone()),
                spawn_after_yields,
            ),
        }
    }

    /// Users a page's statement already read (see `services::prefetch`).
    pub fn know_users(&self, users: KnownUsers) {
        self.scope.know_users(users);
    }

    /// A user by id within the caller's scope: from what a page already read when it
    /// can, else through the batched loader.
    pub async fn user(&self, id: Option<Uuid>) -> async_graphql::Result<Option<users::Model>> {
        let Some(id) = id else { return Ok(None) };
        if let Some(known) = self.scope.known_user(id) {
            return Ok(known);
        }
        Ok(self.users.load_one(id).await.map_err(shared)?)
    }
}

pub struct Scope {
    pub(super) db: DatabaseConnection,
    actor: Option<Actor>,
    /// Users already read in this request by id, `None` where out of scope: what the
    /// user loader need not ask the database again.
    known_users: Mutex<HashMap<Uuid, Option<users::Model>>>,
}

impl Scope {
    pub(super) fn new(db: DatabaseConnection, actor: Option<Actor>) -> Self {
        Self {
            db,
            actor,
            known_users: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn know_users(&self, users: KnownUsers) {
        if users.is_empty() {
            return;
        }
        if let Ok(mut known) = self.known_users.lock() {
            known.extend(users);
        }
    }

    pub(super) fn known_user(&self, id: Uuid) -> Option<Option<users::Model>> {
        self.known_users.lock().ok()?.get(&id).cloned()
    }

    pub(super) fn actor(&self) -> Result<&Actor, Arc<AppError>> {
        self.actor
            .as_ref()
            .ok_or_else(|| Arc::new(AppError::unauthenticated()))
    }
}

/// Rows that know their own id.
pub trait Keyed {
    fn key(&self) -> Uuid;
}

macro_rules! keyed {
    ($($m:ident),*) => {$(
        impl Keyed for $m::Model {
            fn key(&self) -> Uuid {
                self.id
            }
        }
    )*};
}
keyed!(
    users,
    partners,
    territories,
    accounts,
    leads,
    opportunities,
    activities,
    handoffs
);

pub(super) type ScopeFn = fn(&Actor) -> Condition;

/// Rows of `E` by id, within the actor's scope for `E`.
pub struct ById<E: EntityTrait> {
    scope: Arc<Scope>,
    id: E::Column,
    condition: ScopeFn,
}

impl<E: EntityTrait> ById<E> {
    fn new(scope: &Arc<Scope>, id: E::Column, condition: ScopeFn) -> Self {
        Self {
            scope: scope.clone(),
            id,
            condition,
        }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: EntityTrait + Send + Sync,
    E::Model: Keyed + Clone + Send + Sync + 'static,
    E::Column: Send + Sync,
{
    type Value = E::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let actor = self.scope.actor()?;
        let rows = E::find()
            .filter(key_in(
                self.scope.db.get_database_backend(),
                (E::default(), self.id),
                keys,
            ))
            .filter((self.condition)(actor))
            .all(&self.scope.db)
            .await
            .map_err(|e| Arc::new(AppError::from(e)))?;
        Ok(rows.into_iter().map(|m| (m.key(), m)).collect())
    }
}

/// Members of each territory.
pub struct MembersLoader(Arc<Scope>);

impl Loader<Uuid> for MembersLoader {
    type Value = Vec<territory_members::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.0.actor()?;
        let rows = territory_members::Entity::find()
            .filter(key_in(
                self.0.db.get_database_backend(),
                (
                    territory_members::Entity,
                    territory_members::Column::TerritoryId,
                ),
                keys,
            ))
            .order_by_asc(territory_members::Column::CreatedAt)
            .all(&self.0.db)
            .await
            .map_err(|e| Arc::new(AppError::from(e)))?;
        let mut out: HashMap<Uuid, Vec<_>> = HashMap::new();
        for m in rows {
            out.entry(m.territory_id).or_default().push(m);
        }
        Ok(out)
    }
}

/// The row behind an optional foreign key, through `loader` (so within scope), converted
/// to its GraphQL type; `None` when the key is empty or the row is out of scope.
pub async fn load<L, T>(
    loader: &DataLoader<L>,
    id: Option<Uuid>,
    convert: impl FnOnce(L::Value) -> T,
) -> async_graphql::Result<Option<T>>
where
    L: Loader<Uuid, Error = Arc<AppError>>,
{
    let Some(id) = id else { return Ok(None) };
    Ok(loader.load_one(id).await.map_err(shared)?.map(convert))
}

/// Loader errors arrive shared (one per batch, handed to each key's caller); each
/// caller gets the error itself, with its code (a FORBIDDEN or NOT_FOUND shared by two
/// keys once became an internal error).
pub fn shared(err: Arc<AppError>) -> AppError {
    Arc::try_unwrap(err).unwrap_or_else(|shared| shared.as_ref().clone())
}

#[cfg(test)]
mod shared_tests {
    use std::sync::Arc;

    use super::shared;
    use crate::error::AppError;

    #[test]
    fn a_shared_error_keeps_its_code() {
        for err in [
            AppError::Forbidden("not yours".into()),
            AppError::NotFound { entity: "Account" },
            AppError::bad_input("id", "is not a valid id"),
            AppError::Conflict("taken".into()),
        ] {
            let expected = format!("{err:?}");
            let one = Arc::new(err);
            let other = one.clone();
            let (a, b) = (shared(one), shared(other));
            assert_eq!(format!("{a:?}"), expected);
            assert_eq!(format!("{b:?}"), expected);
            assert_ne!(a.code(), "INTERNAL_SERVER_ERROR", "{a:?}");
        }
    }
}
