//! The one clock of the application: system time in production, settable in tests so
//! that deadlines (handoff SLAs, expiries) can be tested without sleeping.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, Utc};

/// Cheap to clone; clones share the same time.
#[derive(Clone, Default)]
pub struct Clock {
    /// An offset added to system time (zero unless a test moved the clock).
    offset: Arc<RwLock<TimeDelta>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.offset.read().map(|o| *o).unwrap_or_default();
        Utc::now() + offset
    }

    /// Moves the clock forward (or back, with a negative delta) for everyone holding it.
    pub fn advance(&self, by: TimeDelta) {
        if let Ok(mut o) = self.offset.write() {
            *o += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = Clock::default();
        let other = clock.clone();
        clock.advance(TimeDelta::days(2));
        let ahead = other.now() - Utc::now();
        assert!(ahead > TimeDelta::hours(47) && ahead < TimeDelta::hours(49));
    }
}
