//! DataLoaders: every relation is fetched in one scoped query per request level, so the
//! number of SQL statements does not grow with the page size.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{partners, users};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{auth::Actor, error::AppError, services};

/// The loaders of one request; each applies the caller's scope.
pub struct Loaders {
    pub users: DataLoader<UserLoader>,
    pub reports: DataLoader<ReportsLoader>,
    pub partners: DataLoader<PartnerLoader>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection, actor: Option<Actor>) -> Self {
        let scope = Arc::new(Scope { db, actor });
        Self {
            users: DataLoader::new(UserLoader(scope.clone()), tokio::spawn),
            reports: DataLoader::new(ReportsLoader(scope.clone()), tokio::spawn),
            partners: DataLoader::new(PartnerLoader(scope), tokio::spawn),
        }
    }
}

pub struct Scope {
    db: DatabaseConnection,
    actor: Option<Actor>,
}

impl Scope {
    fn actor(&self) -> Result<&Actor, Arc<AppError>> {
        self.actor
            .as_ref()
            .ok_or_else(|| Arc::new(AppError::unauthenticated()))
    }
}

pub struct UserLoader(Arc<Scope>);

impl Loader<Uuid> for UserLoader {
    type Value = users::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = services::users::visible_by_ids(&self.0.db, self.0.actor()?, keys).await?;
        Ok(rows.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Direct reports by manager id.
pub struct ReportsLoader(Arc<Scope>);

impl Loader<Uuid> for ReportsLoader {
    type Value = Vec<users::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = services::users::visible_reports(&self.0.db, self.0.actor()?, keys).await?;
        let mut out: HashMap<Uuid, Vec<users::Model>> = HashMap::new();
        for u in rows {
            if let Some(m) = u.manager_id {
                out.entry(m).or_default().push(u);
            }
        }
        Ok(out)
    }
}

pub struct PartnerLoader(Arc<Scope>);

impl Loader<Uuid> for PartnerLoader {
    type Value = partners::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = services::users::partners_by_ids(&self.0.db, self.0.actor()?, keys).await?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Loader errors arrive shared; clients still get exactly the one code.
pub fn shared(err: Arc<AppError>) -> AppError {
    match Arc::try_unwrap(err) {
        Ok(e) => e,
        Err(shared) => match shared.as_ref() {
            AppError::Unauthenticated(m) => AppError::Unauthenticated(m.clone()),
            AppError::Unavailable => AppError::Unavailable,
            other => AppError::internal(other),
        },
    }
}
