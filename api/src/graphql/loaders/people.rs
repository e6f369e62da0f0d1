//! Loaders of people and organizations: users (whole, or their names alone), a manager's
//! reports and team, partner organizations — each within the caller's scope.

use super::*;

pub struct UserLoader(pub(super) Arc<Scope>);

impl Loader<Uuid> for UserLoader {
    type Value = users::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for &k in keys {
            match self.0.known_user(k) {
                Some(Some(u)) => {
                    out.insert(k, u);
                }
                Some(None) => {}
                None => missing.push(k),
            }
        }
        if !missing.is_empty() {
            let rows =
                services::users::visible_by_ids(&self.0.db, self.0.actor()?, &missing).await?;
            out.extend(rows.into_iter().map(|u| (u.id, u)));
        }
        Ok(out)
    }
}

/// Names of users, without the directory scope: only for fields that the policy lets
/// every viewer of the parent row see (the AE's name on a partner's own deal).
pub struct UserNameLoader(pub(super) Arc<Scope>);

impl Loader<Uuid> for UserNameLoader {
    type Value = String;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.0.actor()?;
        let rows: Vec<(Uuid, String)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Name)
            .filter(key_in(
                self.0.db.get_database_backend(),
                (users::Entity, users::Column::Id),
                keys,
            ))
            .into_tuple()
            .all(&self.0.db)
            .await
            .map_err(|e| Arc::new(AppError::from(e)))?;
        Ok(rows.into_iter().collect())
    }
}

/// Direct reports by manager id.
pub struct ReportsLoader(pub(super) Arc<Scope>);

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

/// Whole teams by manager id.
pub struct TeamLoader(pub(super) Arc<Scope>);

impl Loader<Uuid> for TeamLoader {
    type Value = Vec<users::Model>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = services::teams::visible_teams(&self.0.db, self.0.actor()?, keys).await?;
        let mut out: HashMap<Uuid, Vec<users::Model>> = HashMap::new();
        for (manager, u) in rows {
            out.entry(manager).or_default().push(u);
        }
        Ok(out)
    }
}

pub struct PartnerLoader(pub(super) Arc<Scope>);

impl Loader<Uuid> for PartnerLoader {
    type Value = partners::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = services::users::partners_by_ids(&self.0.db, self.0.actor()?, keys).await?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}
