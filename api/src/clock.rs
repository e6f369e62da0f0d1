//! The one clock of the application: system time in production; in tests it can be
//! pinned to an instant or moved by an offset, so that everything computed against
//! "now" (quota pacing, handoff SLAs, registration expiry, the end of a live
//! subscription when its token expires) is testable without sleeping.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

/// Cheap to clone; clones share the same time.
#[derive(Clone, Debug)]
pub struct Clock(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    setting: RwLock<Setting>,
    /// Told whenever the clock is set or moved, so that a deadline waiting on a timer
    /// (a socket's token expiry) can be recomputed against the new "now".
    changed: watch::Sender<()>,
}

impl Default for Clock {
    fn default() -> Self {
        Self(Arc::new(Shared {
            setting: RwLock::default(),
            changed: watch::channel(()).0,
        }))
    }
}

#[derive(Default, Debug)]
struct Setting {
    pinned: Option<DateTime<Utc>>,
    offset: TimeDelta,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let s = self
            .0
            .setting
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.pinned.unwrap_or_else(Utc::now) + s.offset
    }

    /// Pins the clock at an instant (tests); `None` returns to the system time.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        let mut s = self
            .0
            .setting
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *s = Setting {
            pinned: at,
            offset: TimeDelta::zero(),
        };
        drop(s);
        self.0.changed.send_replace(());
    }

    /// Moves the clock forward (or back, with a negative delta) for every clone.
    pub fn advance(&self, by: TimeDelta) {
        let mut s = self
            .0
            .setting
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.offset += by;
        drop(s);
        self.0.changed.send_replace(());
    }

    /// Resolves its `changed()` each time the clock is set or moved (never in production,
    /// where the clock is the system time).
    pub fn changes(&self) -> watch::Receiver<()> {
        self.0.changed.subscribe()
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

    #[test]
    fn moving_the_clock_tells_its_watchers() {
        let clock = Clock::default();
        let mut changes = clock.clone().changes();
        assert!(!changes.has_changed().unwrap());
        clock.advance(TimeDelta::minutes(1));
        assert!(changes.has_changed().unwrap());
        changes.mark_unchanged();
        clock.set(None);
        assert!(changes.has_changed().unwrap());
    }
}
