//! The one clock that "now"-dependent figures read (quota pacing), so tests can set it.
//!
//! Minimal on purpose: the system time unless a test pinned it.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

#[derive(Clone, Default, Debug)]
pub struct Clock(Arc<RwLock<Option<DateTime<Utc>>>>);

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.0
            .read()
            .ok()
            .and_then(|pinned| *pinned)
            .unwrap_or_else(Utc::now)
    }

    /// Pins the clock (tests); `None` returns to the system time.
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut pinned) = self.0.write() {
            *pinned = at;
        }
    }
}
