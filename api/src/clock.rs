//! The one clock of the application: system time in production; in tests it can be
//! pinned to an instant or moved by an offset, so that everything computed against
//! "now" (quota pacing, handoff SLAs, registration expiry) is testable without sleeping.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, Utc};

/// Cheap to clone; clones share the same time.
#[derive(Clone, Default, Debug)]
pub struct Clock(Arc<RwLock<Setting>>);

#[derive(Default, Debug)]
struct Setting {
    pinned: Option<DateTime<Utc>>,
    offset: TimeDelta,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let s = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.pinned.unwrap_or_else(Utc::now) + s.offset
    }

    /// Pins the clock at an instant (tests); `None` returns to the system time.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        let mut s = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *s = Setting {
            pinned: at,
            offset: TimeDelta::zero(),
        };
    }

    /// Moves the clock forward (or back, with a negative delta) for every clone.
    pub fn advance(&self, by: TimeDelta) {
        let mut s = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.offset += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_and_advancing_move_every_clone() {
        let clock = Clock::default();
        let other = clock.clone();
        clock.advance(TimeDelta::days(2));
        let ahead = other.now() - Utc::now();
        assert!(ahead > TimeDelta::hours(47) && ahead < TimeDelta::hours(49));
        let at = Utc::now() - TimeDelta::days(400);
        clock.set(Some(at));
        assert_eq!(other.now(), at);
        clock.advance(TimeDelta::hours(1));
        assert_eq!(other.now(), at + TimeDelta::hours(1));
        clock.set(None);
        assert!((other.now() - Utc::now()).abs() < TimeDelta::seconds(5));
    }
}
