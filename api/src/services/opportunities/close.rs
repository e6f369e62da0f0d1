//! Closing an opportunity, won or lost.

use super::*;

pub struct Close {
    pub won: bool,
    pub lost_reason: Option<String>,
    pub amount_cents: Option<i64>,
    pub close_date: Option<NaiveDate>,
}

#[tracing::instrument(skip_all, fields(actor = %actor.user_id, opportunity = %id))]
pub async fn close(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    version: i32,
    c: Close,
) -> AppResult<opportunities::Model> {
    policy::require(actor, Action::CloseOpportunity)?;
    let lost_reason = match (c.won, c.lost_reason.as_deref()) {
        (true, Some(_)) => {
            return Err(AppError::bad_input(
                "lostReason",
                "only lost opportunities have a lost reason",
            ));
        }
        (true, None) => None,
        (false, Some(r)) => Some(text::required(r, "lostReason", 2_000)?),
        (false, None) => {
            return Err(AppError::bad_input(
                "lostReason",
                "a lost opportunity needs a reason",
            ));
        }
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let before = open_for_change(&txn, actor, id, Action::CloseOpportunity).await?;
    let stage = if c.won {
        Stage::ClosedWon
    } else {
        Stage::ClosedLost
    };
    let (p, fc) = pipeline::stage_defaults(stage);
    let mut m: opportunities::ActiveModel = before.clone().into();
    m.stage = Set(stage);
    m.probability = Set(p);
    m.forecast_category = Set(fc);
    m.lost_reason = Set(lost_reason);
    m.closed_at = Set(Some(Utc::now()));
    if let Some(a) = c.amount_cents {
        m.amount_cents = Set(a);
    }
    m.close_date = Set(c.close_date.unwrap_or_else(|| Utc::now().date_naive()));
    let after = save_versioned(&txn, &before, version, m).await?;
    audit::record(
        &txn,
        Some(actor.user_id),
        "closeOpportunity",
        "Opportunity",
        id,
        changes(Some(&before), &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
