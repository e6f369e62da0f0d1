//! `User.quotas` over a list of users: every user's quotas in one scoped statement and
//! their figures in one statement per kind, instead of both once per user.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use entity::quotas;
use uuid::Uuid;

use super::loaders::Scope;
use crate::{
    domain::Period,
    error::AppError,
    services::quotas::{Figures, figures, of_users},
};

/// What one `quotas` field needs: whose quotas, its `period` argument, and the figures
/// its selection asks for (with the fiscal year they are computed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuotaKey {
    pub user: Uuid,
    pub period: Option<Period>,
    pub actual: bool,
    pub reconcile: bool,
    pub fiscal_month: u32,
}

/// One user's quotas, and the figures of the batch they were loaded in.
#[derive(Clone)]
pub struct UserQuotas {
    pub rows: Vec<quotas::Model>,
    pub figures: Arc<Figures>,
}

pub struct QuotaLoader(pub(super) Arc<Scope>);

impl QuotaKey {
    fn wants(&self, row: &quotas::Model) -> bool {
        row.user_id == Some(self.user) && self.period.is_none_or(|p| row.period == p.to_string())
    }
}

impl Loader<QuotaKey> for QuotaLoader {
    type Value = UserQuotas;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[QuotaKey]) -> Result<HashMap<QuotaKey, Self::Value>, Self::Error> {
        let actor = self.0.actor()?;
        let db = &self.0.db;
        let mut users: Vec<Uuid> = keys.iter().map(|k| k.user).collect();
        users.sort();
        users.dedup();
        // One statement for every key: narrowed to the asked periods unless a key asks
        // for all of them; each key then takes its own rows.
        let periods: Option<Vec<Period>> = keys.iter().map(|k| k.period).collect();
        let rows = of_users(db, actor, &users, periods.as_deref()).await?;
        let mut out: HashMap<QuotaKey, Vec<quotas::Model>> = HashMap::new();
        for k in keys {
            out.insert(*k, rows.iter().filter(|r| k.wants(r)).cloned().collect());
        }
        // The figures of all rows whose fields ask for them, per kind and fiscal year
        // (the year is the server's: one group in practice).
        let mut all = Figures::default();
        let mut months: Vec<u32> = keys.iter().map(|k| k.fiscal_month).collect();
        months.sort_unstable();
        months.dedup();
        for month in months {
            let of = |want: fn(&QuotaKey) -> bool| -> Vec<quotas::Model> {
                let mut picked: Vec<quotas::Model> = keys
                    .iter()
                    .filter(|k| k.fiscal_month == month && want(k))
                    .flat_map(|k| out.get(k).into_iter().flatten().cloned())
                    .collect();
                picked.sort_by_key(|q| q.id);
                picked.dedup_by_key(|q| q.id);
                picked
            };
            let actual = figures(db, month, &of(|k| k.actual), true, false).await?;
            let children = figures(db, month, &of(|k| k.reconcile), false, true).await?;
            all.actual.extend(actual.actual);
            all.children.extend(children.children);
        }
        let all = Arc::new(all);
        Ok(out
            .into_iter()
            .map(|(k, rows)| {
                let figures = all.clone();
                (k, UserQuotas { rows, figures })
            })
            .collect())
    }
}
