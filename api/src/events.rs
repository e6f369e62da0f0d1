//! Live handoff events: publishing after commit, carrying them between replicas, and
//! fanning each one out to the subscribers entitled to it.
//!
//! Publishing sends only the event's id. On PostgreSQL it is a `NOTIFY` issued inside
//! the writing transaction (so it is delivered when, and only if, the transaction
//! commits) and every replica `LISTEN`s on a dedicated connection; on SQLite (one
//! process by nature) an in-process broadcast after commit. Each replica then loads the
//! event once, computes in one statement which of its subscribers may see it (with
//! their current role and active flag), and hands it to their bounded queues.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use entity::{
    enums::{HandoffKind, Role},
    handoff_events, handoffs, users,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement,
    sea_query::{CaseStatement, Expr},
};
use tokio::sync::{broadcast, mpsc, watch};
use uuid::Uuid;

use crate::{
    auth::{Actor, policy},
    error::AppResult,
    services::handoffs::HandoffDirection,
};

const CHANNEL: &str = "salesgraph_handoff_events";

/// Why the server closes a socket, with its WebSocket close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseWhy {
    /// The user was deactivated or changed role.
    AccessLost,
    /// The subscriber did not keep up with its queue.
    TooSlow,
}

/// One subscription's registration; dropping it unsubscribes.
pub struct Registration {
    hub: Hub,
    id: u64,
    pub rx: mpsc::Receiver<handoff_events::Model>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut subs) = self.hub.inner.subs.lock() {
            subs.remove(&self.id);
        }
    }
}

struct Subscriber {
    user_id: Uuid,
    role: Role,
    kinds: Vec<HandoffKind>,
    direction: Option<HandoffDirection>,
    tx: mpsc::Sender<handoff_events::Model>,
    close: mpsc::Sender<CloseWhy>,
}

struct Inner {
    next: AtomicU64,
    subs: Mutex<HashMap<u64, Subscriber>>,
    local: broadcast::Sender<Uuid>,
    queue: usize,
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
    pub fn new(queue: usize) -> Self {
        let (local, _) = broadcast::channel(1024);
        let (shutdown, _) = watch::channel(false);
        let (listening, _) = watch::channel(false);
        Self {
            inner: Arc::new(Inner {
                next: AtomicU64::new(1),
                subs: Mutex::new(HashMap::new()),
                local,
                queue,
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
        close: mpsc::Sender<CloseWhy>,
    ) -> Registration {
        let (tx, rx) = mpsc::channel(self.inner.queue);
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut subs) = self.inner.subs.lock() {
            subs.insert(
                id,
                Subscriber {
                    user_id: actor.user_id,
                    role: actor.role,
                    kinds,
                    direction,
                    tx,
                    close,
                },
            );
        }
        Registration {
            hub: self.clone(),
            id,
            rx,
        }
    }

    /// Inside the writing transaction: on PostgreSQL the notification leaves at commit.
    pub async fn before_commit<C: ConnectionTrait>(&self, txn: &C, event: Uuid) -> AppResult<()> {
        if txn.get_database_backend() == DbBackend::Postgres {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), event.to_string().into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// After commit: on SQLite the in-process broadcast.
    pub fn after_commit(&self, backend: DbBackend, event: Uuid) {
        if backend != DbBackend::Postgres {
            let _ = self.inner.local.send(event);
        }
    }

    /// Resolves once events committed from now on reach this replica (on PostgreSQL,
    /// once its `LISTEN` is in place).
    pub async fn ready(&self) {
        let mut rx = self.inner.listening.subscribe();
        let _ = rx.wait_for(|l| *l).await;
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

    async fn fan_out(&self, db: DatabaseConnection, mut rx: broadcast::Receiver<Uuid>) {
        let mut stop = self.on_shutdown();
        loop {
            let id = tokio::select! {
                r = rx.recv() => match r {
                    Ok(id) => id,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "handoff events dropped: fan-out lagged");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = stop.changed() => return,
            };
            if let Err(e) = self.deliver(&db, id).await {
                tracing::warn!(error = %e, event = %id, "handoff event not delivered");
            }
        }
    }

    /// One event: one statement for the event and its handoff, one for the entitlement
    /// of every subscribed user; then each subscriber's queue.
    async fn deliver(&self, db: &DatabaseConnection, id: Uuid) -> AppResult<()> {
        let users_subscribed: Vec<Uuid> = {
            let subs = match self.inner.subs.lock() {
                Ok(s) => s,
                Err(_) => return Ok(()),
            };
            let mut v: Vec<Uuid> = subs.values().map(|s| s.user_id).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if users_subscribed.is_empty() {
            return Ok(());
        }
        let Some((event, Some(handoff))) = handoff_events::Entity::find_by_id(id)
            .find_also_related(handoffs::Entity)
            .one(db)
            .await?
        else {
            return Ok(());
        };
        let entitled = CaseStatement::new()
            .case(
                policy::handoff_audience(handoff.from_user_id, handoff.to_user_id),
                Expr::val(1),
            )
            .finally(Expr::val(0));
        let rows: Vec<(Uuid, Role, bool, i32)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Role)
            .column(users::Column::Active)
            .expr_as(entitled, "entitled")
            .filter(users::Column::Id.is_in(users_subscribed))
            .into_tuple()
            .all(db)
            .await?;
        let now: HashMap<Uuid, (Role, bool, bool)> = rows
            .into_iter()
            .map(|(id, role, active, e)| (id, (role, active, e == 1)))
            .collect();
        let subs = match self.inner.subs.lock() {
            Ok(s) => s,
            Err(_) => return Ok(()),
        };
        for s in subs.values() {
            let Some(&(role, active, entitled)) = now.get(&s.user_id) else {
                continue;
            };
            if !active || role != s.role {
                let _ = s.close.try_send(CloseWhy::AccessLost);
                continue;
            }
            let wanted = entitled
                && (s.kinds.is_empty() || s.kinds.contains(&handoff.kind))
                && match s.direction {
                    Some(HandoffDirection::Incoming) => handoff.to_user_id == s.user_id,
                    Some(HandoffDirection::Outgoing) => handoff.from_user_id == s.user_id,
                    None => true,
                };
            if wanted && s.tx.try_send(event.clone()).is_err() {
                let _ = s.close.try_send(CloseWhy::TooSlow);
            }
        }
        Ok(())
    }
}

/// PostgreSQL: a dedicated connection `LISTEN`s and forwards ids into the replica's
/// broadcast; it reconnects after a failure (events sent meanwhile are caught up by
/// `handoffs(filter: {updatedSince:})` after the client reconnects).
impl Hub {
    async fn listen(&self, url: String, tx: broadcast::Sender<Uuid>) {
        let mut stop = self.on_shutdown();
        use sea_orm::sqlx::postgres::PgListener;
        loop {
            let mut listener = match PgListener::connect(&url).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for handoff events; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "LISTEN failed; retrying");
                continue;
            }
            self.inner.listening.send_replace(true);
            loop {
                tokio::select! {
                    n = listener.recv() => match n {
                        Ok(n) => {
                            if let Ok(id) = n.payload().parse::<Uuid>() {
                                let _ = tx.send(id);
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "handoff event listener lost; reconnecting");
                            self.inner.listening.send_replace(false);
                            break;
                        }
                    },
                    _ = stop.changed() => return,
                }
            }
        }
    }
}
