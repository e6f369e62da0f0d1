//! Live handoff events: publishing after commit, carrying them between replicas, and
//! fanning each one out to the subscribers entitled to it.
//!
//! Publishing sends only an id. On PostgreSQL it is a `NOTIFY` issued inside the writing
//! transaction (so it is delivered when, and only if, the transaction commits) and every
//! replica `LISTEN`s on a dedicated connection (`listen.rs`); on SQLite (one process by
//! nature) an in-process broadcast after commit. Each replica then loads the event once,
//! computes in one statement which of its subscribers may see it (with their current
//! role, active flag and sessions), and hands it to their bounded queues (`fanout.rs`).
//! Ending a user's sessions (deactivation, role change, password reset, sign-out) is
//! published the same way, so their sockets close at once on every replica.

mod fanout;
mod listen;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use entity::{
    enums::{HandoffKind, Role},
    handoff_events, handoffs,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement};
use tokio::sync::{broadcast, mpsc, watch};
use uuid::Uuid;

use crate::{
    auth::Actor, error::AppResult, metrics::Metrics, services::handoffs::HandoffDirection,
};

const CHANNEL: &str = "salesgraph_handoff_events";
/// Prefix of a sessions-ended notice's payload; a bare id is a handoff event (the form
/// replicas of earlier versions send and understand).
const SESSIONS_PREFIX: &str = "user:";

/// What travels between replicas: ids only (PostgreSQL's payload limit is 8 kB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A handoff event was committed.
    Event(Uuid),
    /// The user's sessions ended (deactivated, role changed, password reset, signed
    /// out, a refresh family revoked): their sockets are re-checked at once.
    SessionsEnded(Uuid),
    /// This replica's listener reconnected: notices sent while it was away are lost, so
    /// every socket is re-checked. Never sent between replicas.
    Reconnected,
}

impl Notice {
    fn payload(self) -> String {
        match self {
            Notice::Event(id) => id.to_string(),
            Notice::SessionsEnded(user) => format!("{SESSIONS_PREFIX}{user}"),
            Notice::Reconnected => String::new(),
        }
    }

    fn parse(payload: &str) -> Option<Self> {
        match payload.strip_prefix(SESSIONS_PREFIX) {
            Some(user) => user.parse().ok().map(Notice::SessionsEnded),
            None => payload.parse().ok().map(Notice::Event),
        }
    }
}

/// Why the server closes a socket (`ws.rs` maps each to its WebSocket close code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    /// The user was deactivated or changed role: 4403.
    AccessLost,
    /// The token the socket was opened with was ended (sign-out, password reset): 4401,
    /// as when it expires.
    SessionEnded,
    /// The subscriber did not keep up with its queue.
    TooSlow,
}

/// What the WebSocket driver attaches to every operation of a socket: where the event
/// fan-out asks for the socket to be closed, and when its token was issued (a sign-out
/// ends tokens issued before it).
#[derive(Clone)]
pub struct SocketCtl {
    pub close: mpsc::Sender<CloseWhy>,
    /// The token's `iat_ms`.
    pub token_issued_ms: i64,
}

/// An event as the fan-out hands it to its subscribers: with its handoff, loaded once
/// per replica and, by the entitlement check, within each receiver's scope (the same
/// rule as reading handoffs), so that no subscriber loads it again.
#[derive(Debug)]
pub struct LiveEvent {
    pub event: handoff_events::Model,
    pub handoff: handoffs::Model,
}

/// One subscription's registration; dropping it unsubscribes.
pub struct Registration {
    hub: Hub,
    id: u64,
    pub rx: mpsc::Receiver<Arc<LiveEvent>>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut subs) = self.hub.inner.subs.lock()
            && subs.remove(&self.id).is_some()
        {
            self.hub.inner.metrics.live_subscriptions.dec();
        }
    }
}

struct Subscriber {
    user_id: Uuid,
    role: Role,
    token_issued_ms: i64,
    /// The refresh family of the socket's token; its revocation closes the socket.
    family: Option<Uuid>,
    kinds: Vec<HandoffKind>,
    direction: Option<HandoffDirection>,
    tx: mpsc::Sender<Arc<LiveEvent>>,
    close: mpsc::Sender<CloseWhy>,
}

struct Inner {
    next: AtomicU64,
    subs: Mutex<HashMap<u64, Subscriber>>,
    local: broadcast::Sender<Notice>,
    queue: usize,
    metrics: Arc<Metrics>,
    shutdown: watch::Sender<bool>,
    /// Whether events of other replicas arrive (PostgreSQL: `LISTEN` is in place).
    listening: watch::Sender<bool>,
}

/// Cheap to clone; clones share the subscribers.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    pub fn new(queue: usize, metrics: Arc<Metrics>) -> Self {
        let (local, _) = broadcast::channel(1024);
        let (shutdown, _) = watch::channel(false);
        let (listening, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                next: AtomicU64::new(1),
                subs: Mutex::new(HashMap::new()),
                local,
                queue,
                metrics,
                shutdown,
                listening,
            }),
        }
    }

    /// Live subscriptions on this replica.
    pub fn subscribers(&self) -> usize {
        self.inner.subs.lock().map(|s| s.len()).unwrap_or(0)
    }

    pub fn register(
        &self,
        actor: &Actor,
        kinds: Vec<HandoffKind>,
        direction: Option<HandoffDirection>,
        ctl: &SocketCtl,
    ) -> Registration {
        let (tx, rx) = mpsc::channel(self.inner.queue);
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut subs) = self.inner.subs.lock() {
            subs.insert(
                id,
                Subscriber {
                    user_id: actor.user_id,
                    role: actor.role,
                    token_issued_ms: ctl.token_issued_ms,
                    family: actor.family,
                    kinds,
                    direction,
                    tx,
                    close: ctl.close.clone(),
                },
            );
            self.inner.metrics.live_subscriptions.inc();
        }
        Registration {
            hub: self.clone(),
            id,
            rx,
        }
    }

    /// Commits `txn` and publishes `notice`: on PostgreSQL the `NOTIFY` is part of the
    /// transaction (a rollback publishes nothing, the commit delivers it); on SQLite the
    /// in-process broadcast follows the commit.
    pub async fn commit(&self, txn: DatabaseTransaction, notice: Notice) -> AppResult<()> {
        let backend = txn.get_database_backend();
        if backend == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), notice.payload().into()],
            ))
            .await?;
        }
        txn.commit().await?;
        if backend != DbBackend::Postgres {
            let _ = self.inner.local.send(notice);
        }
        Ok(())
    }

    /// Resolves once events committed from now on reach this replica (on PostgreSQL,
    /// once its `LISTEN` is in place).
    pub async fn ready(&self) {
        let mut rx = self.inner.listening.subscribe();
        let _ = rx.wait_for(|l| *l).await;
    }

    /// Whether events committed now reach this replica (`/readyz` reports it).
    pub fn listening(&self) -> bool {
        *self.inner.listening.borrow()
    }

    /// Server shutdown: every socket closes with 1001.
    pub fn shut_down(&self) {
        self.inner.shutdown.send_replace(true);
    }

    pub fn on_shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Starts this replica's fan-out (and, on PostgreSQL, its listener).
    pub fn start(&self, db: DatabaseConnection, database_url: String) {
        let rx = self.inner.local.subscribe();
        let hub = self.clone();
        if db.get_database_backend() == DbBackend::Postgres {
            let tx = self.inner.local.clone();
            let hub = self.clone();
            tokio::spawn(async move { hub.listen(database_url, tx).await });
        } else {
            self.inner.listening.send_replace(true);
        }
        tokio::spawn(async move { hub.fan_out(db, rx).await });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_travel_as_ids_and_bare_ids_are_events() {
        let id = Uuid::new_v4();
        for n in [Notice::Event(id), Notice::SessionsEnded(id)] {
            assert_eq!(Notice::parse(&n.payload()), Some(n));
        }
        assert_eq!(Notice::parse(&id.to_string()), Some(Notice::Event(id)));
        assert_eq!(Notice::parse("user:nope"), None);
        assert_eq!(Notice::parse(""), None);
    }
}
