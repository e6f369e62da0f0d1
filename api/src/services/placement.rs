//! Places a new account or lead in a territory by the territories' criteria.

use entity::territories;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Actor, policy},
    domain::criteria::{Criteria, Facts, Placement, place},
    error::{AppError, AppResult},
};

pub fn criteria_of(t: &territories::Model) -> Criteria {
    let list = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Criteria {
        countries: list(&t.criteria_countries),
        industries: list(&t.criteria_industries),
        min_employees: t.criteria_min_employees,
        max_employees: t.criteria_max_employees,
    }
}

/// The territory the criteria pick, `None` when nothing matches, or `BAD_USER_INPUT`
/// naming the tied territories so the caller can choose one explicitly. When the
/// caller cannot see every tied territory the row is left unassigned instead, since
/// an error naming them would reveal territories outside their scope (§1).
pub async fn territory_for<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    facts: &Facts<'_>,
) -> AppResult<Option<Uuid>> {
    let all = territories::Entity::find().all(db).await?;
    let candidates: Vec<_> = all
        .iter()
        .map(|t| (t.id, t.depth, criteria_of(t)))
        .collect();
    match place(&candidates, facts) {
        Placement::Territory(id) => Ok(Some(id)),
        Placement::Unassigned => Ok(None),
        Placement::Ambiguous(ids) => {
            let visible = territories::Entity::find()
                .filter(territories::Column::Id.is_in(ids.iter().copied()))
                .filter(policy::territory_scope(actor))
                .count(db)
                .await?;
            if visible < ids.len() as u64 {
                return Ok(None);
            }
            let mut names: Vec<&str> = all
                .iter()
                .filter(|t| ids.contains(&t.id))
                .map(|t| t.name.as_str())
                .collect();
            names.sort_unstable();
            Err(AppError::bad_input(
                "territoryId",
                format!(
                    "the territory criteria match {} equally well; choose one with territoryId",
                    names.join(", ")
                ),
            ))
        }
    }
}
