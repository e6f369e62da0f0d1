//! PLACEHOLDER (replaced by the seed helper).
use crate::{auth::password::Passwords, error::AppResult};
use sea_orm::DatabaseConnection;
pub struct ScaleReport;
impl std::fmt::Display for ScaleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "")
    }
}
pub async fn seed(_db: &DatabaseConnection, _p: &Passwords, _n: u64) -> AppResult<ScaleReport> {
    Ok(ScaleReport)
}
