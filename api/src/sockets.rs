//! What one replica lets WebSocket clients hold: sockets waiting for `connection_init`
//! (replica-wide) and open sockets per user. A slot is a guard that gives itself back
//! when the socket ends, however it ends.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
};

use uuid::Uuid;

#[derive(Default)]
pub struct Sockets {
    pending: AtomicUsize,
    per_user: Mutex<HashMap<Uuid, usize>>,
}

/// A socket that has not sent `connection_init` yet.
pub struct PendingSlot(Arc<Sockets>);

impl Drop for PendingSlot {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An initialised socket of one user.
pub struct UserSlot(Arc<Sockets>, Uuid);

impl Drop for UserSlot {
    fn drop(&mut self) {
        let mut users = self
            .0
            .per_user
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = users.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                users.remove(&self.1);
            }
        }
    }
}

impl Sockets {
    /// A slot for a new socket, unless `max` are already waiting.
    pub fn pending(self: &Arc<Self>, max: usize) -> Option<PendingSlot> {
        let taken = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            });
        taken.ok().map(|_| PendingSlot(self.clone()))
    }

    /// A slot for `user`'s socket, unless the user holds `max` already.
    pub fn user(self: &Arc<Self>, user: Uuid, max: usize) -> Option<UserSlot> {
        let mut users = self.per_user.lock().unwrap_or_else(PoisonError::into_inner);
        let n = users.entry(user).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(UserSlot(self.clone(), user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_and_given_back() {
        let s = Arc::new(Sockets::default());
        let a = s.pending(2).unwrap();
        let _b = s.pending(2).unwrap();
        assert!(s.pending(2).is_none());
        drop(a);
        assert!(s.pending(2).is_some());

        let u = Uuid::new_v4();
        let one = s.user(u, 1).unwrap();
        assert!(s.user(u, 1).is_none());
        assert!(s.user(Uuid::new_v4(), 1).is_some());
        drop(one);
        assert!(s.user(u, 1).is_some());
        assert!(s.per_user.lock().unwrap().is_empty());
    }
}
