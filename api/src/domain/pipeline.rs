//! The rules of leads and opportunities as pure functions: lead status moves, stage
//! defaults, and what may be overridden.

use entity::enums::{ForecastCategory, LeadStatus, Stage};

use crate::error::AppError;

/// Status changes `updateLead` may make; qualification, disqualification and
/// conversion have their own operations.
pub fn lead_status_move(from: LeadStatus, to: LeadStatus) -> Result<(), AppError> {
    use LeadStatus::*;
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Converted, _) => Err(AppError::InvalidStateTransition(
            "a converted lead cannot change status".into(),
        )),
        (_, Qualified) => Err(AppError::InvalidStateTransition(
            "use qualifyLead to qualify a lead".into(),
        )),
        (_, Disqualified) => Err(AppError::InvalidStateTransition(
            "use disqualifyLead to disqualify a lead".into(),
        )),
        (_, Converted) => Err(AppError::InvalidStateTransition(
            "a lead converts when its SDR → AE handoff is accepted".into(),
        )),
        (New | Working | Qualified | Disqualified, New | Working) => Ok(()),
    }
}

pub fn is_closed(stage: Stage) -> bool {
    matches!(stage, Stage::ClosedWon | Stage::ClosedLost)
}

/// Default probability and forecast category of a stage.
pub fn stage_defaults(stage: Stage) -> (i32, ForecastCategory) {
    match stage {
        Stage::Prospecting => (10, ForecastCategory::Pipeline),
        Stage::Discovery => (20, ForecastCategory::Pipeline),
        Stage::Proposal => (50, ForecastCategory::BestCase),
        Stage::Negotiation => (80, ForecastCategory::Commit),
        Stage::ClosedWon => (100, ForecastCategory::Closed),
        Stage::ClosedLost => (0, ForecastCategory::Omitted),
    }
}

/// Open opportunities may override probability (1–99) and forecast category (anything
/// but `CLOSED`); closed ones keep their stage's values.
pub fn check_override(
    stage: Stage,
    probability: i32,
    category: ForecastCategory,
) -> Result<(), AppError> {
    if is_closed(stage) {
        let (p, c) = stage_defaults(stage);
        if probability != p || category != c {
            return Err(AppError::bad_input(
                "probability",
                "a closed opportunity's probability and forecast category are fixed",
            ));
        }
        return Ok(());
    }
    if !(1..=99).contains(&probability) {
        return Err(AppError::bad_input(
            "probability",
            "an open opportunity's probability is between 1 and 99",
        ));
    }
    if category == ForecastCategory::Closed {
        return Err(AppError::bad_input(
            "forecastCategory",
            "only closed opportunities are forecast as CLOSED",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_moves() {
        use LeadStatus::*;
        assert!(lead_status_move(New, Working).is_ok());
        assert!(lead_status_move(Disqualified, Working).is_ok());
        assert!(lead_status_move(Working, Qualified).is_err());
        assert!(lead_status_move(Converted, Working).is_err());
        assert!(lead_status_move(New, Converted).is_err());
    }

    #[test]
    fn stage_rules() {
        assert_eq!(
            stage_defaults(Stage::Negotiation),
            (80, ForecastCategory::Commit)
        );
        assert!(check_override(Stage::Proposal, 60, ForecastCategory::Commit).is_ok());
        assert!(check_override(Stage::Proposal, 100, ForecastCategory::Commit).is_err());
        assert!(check_override(Stage::Proposal, 50, ForecastCategory::Closed).is_err());
        assert!(check_override(Stage::ClosedWon, 100, ForecastCategory::Closed).is_ok());
        assert!(check_override(Stage::ClosedWon, 90, ForecastCategory::Closed).is_err());
    }
}
