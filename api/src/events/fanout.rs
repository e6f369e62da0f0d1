//! One replica's fan-out: each notice is handled once for all of the replica's
//! subscribers — one statement for the event, one for the current access of every
//! subscribed user — then each entitled subscriber's bounded queue.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::{DateTime, Utc};
use entity::{enums::Role, handoff_events, handoffs, refresh_tokens, users};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{CaseStatement, Expr},
};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::{CloseWhy, Hub, LiveEvent, Notice, Subscriber};
use crate::{auth::policy, error::AppResult, services::handoffs::HandoffDirection};

/// A subscribed user as the database has them now.
struct Now {
    role: Role,
    active: bool,
    tokens_valid_after: Option<DateTime<Utc>>,
}

impl Now {
    /// Why `s` may no longer hold its socket, if it may not: deactivated or another role
    /// (access lost), or its token ended by a sign-out or password reset since it was
    /// issued (as if expired).
    fn refuses(&self, s: &Subscriber) -> Option<CloseWhy> {
        if !self.active || self.role != s.role {
            Some(CloseWhy::AccessLost)
        } else if self
            .tokens_valid_after
            .is_some_and(|t| s.token_issued_ms < t.timestamp_millis())
        {
            Some(CloseWhy::SessionEnded)
        } else {
            None
        }
    }
}

impl Hub {
    pub(super) async fn fan_out(
        &self,
        db: DatabaseConnection,
        mut rx: broadcast::Receiver<Notice>,
    ) {
        let mut stop = self.on_shutdown();
        let dropped = &self.inner.metrics.live_events_dropped;
        loop {
            let notice = tokio::select! {
                r = rx.recv() => match r {
                    Ok(n) => n,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "handoff events dropped: fan-out lagged");
                        dropped.with_label_values(&["lagged"]).inc_by(n);
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = stop.changed() => return,
            };
            let done = match notice {
                Notice::Event(id) => self.deliver(&db, id).await,
                Notice::SessionsEnded(user) => self.recheck(&db, user).await,
                Notice::Reconnected => self.recheck_all(&db).await,
            };
            if let Err(e) = &done {
                tracing::warn!(error = %e, ?notice, "live notice not handled");
            }
            if matches!(notice, Notice::Event(_)) {
                // Counted once its deliveries are counted: a reader that sees the event
                // received sees all it delivered.
                self.inner.metrics.live_events_received.inc();
                if done.is_err() {
                    dropped.with_label_values(&["error"]).inc();
                }
            }
        }
    }

    /// The distinct users subscribed on this replica (none: nothing to do).
    fn subscribed_users(&self) -> Vec<Uuid> {
        let Ok(subs) = self.inner.subs.lock() else {
            return Vec::new();
        };
        let mut v: Vec<Uuid> = subs.values().map(|s| s.user_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// One event: one statement for the event and its handoff, one for the entitlement
    /// and current access of every subscribed user; then each subscriber's queue.
    async fn deliver(&self, db: &DatabaseConnection, id: Uuid) -> AppResult<()> {
        let users_subscribed = self.subscribed_users();
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
        type Row = (Uuid, Role, bool, Option<DateTime<Utc>>, i32);
        let rows: Vec<Row> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Role)
            .column(users::Column::Active)
            .column(users::Column::TokensValidAfter)
            .expr_as(entitled, "entitled")
            .filter(users::Column::Id.is_in(users_subscribed))
            .into_tuple()
            .all(db)
            .await?;
        let now: HashMap<Uuid, (Now, bool)> = rows
            .into_iter()
            .map(|(id, role, active, tokens_valid_after, e)| {
                let now = Now {
                    role,
                    active,
                    tokens_valid_after,
                };
                (id, (now, e == 1))
            })
            .collect();
        let live = Arc::new(LiveEvent { event, handoff });
        let handoff = &live.handoff;
        let Ok(subs) = self.inner.subs.lock() else {
            return Ok(());
        };
        let (mut delivered, mut too_slow) = (0, 0);
        for s in subs.values() {
            // Subscribed while the statement ran: the next event covers them.
            let Some((now, entitled)) = now.get(&s.user_id) else {
                continue;
            };
            if let Some(why) = now.refuses(s) {
                let _ = s.close.try_send(why);
                continue;
            }
            let wanted = *entitled
                && (s.kinds.is_empty() || s.kinds.contains(&handoff.kind))
                && match s.direction {
                    Some(HandoffDirection::Incoming) => handoff.to_user_id == s.user_id,
                    Some(HandoffDirection::Outgoing) => handoff.from_user_id == s.user_id,
                    None => true,
                };
            if !wanted {
                continue;
            }
            if s.tx.try_send(live.clone()).is_ok() {
                delivered += 1;
            } else {
                too_slow += 1;
                let _ = s.close.try_send(CloseWhy::TooSlow);
            }
        }
        let m = &self.inner.metrics;
        m.live_events_delivered.inc_by(delivered);
        m.live_events_dropped
            .with_label_values(&["slow_subscriber"])
            .inc_by(too_slow);
        Ok(())
    }

    /// A user's sessions ended: their sockets on this replica are checked now rather
    /// than at the next event — the user's row, and whether the refresh family each
    /// socket's token came from was revoked.
    async fn recheck(&self, db: &DatabaseConnection, user: Uuid) -> AppResult<()> {
        let families: Option<Vec<Uuid>> = self.inner.subs.lock().ok().and_then(|subs| {
            let mine: Vec<&Subscriber> = subs.values().filter(|s| s.user_id == user).collect();
            (!mine.is_empty()).then(|| mine.iter().filter_map(|s| s.family).collect())
        });
        let Some(families) = families else {
            return Ok(());
        };
        let row: Option<(Role, bool, Option<DateTime<Utc>>)> = users::Entity::find_by_id(user)
            .select_only()
            .column(users::Column::Role)
            .column(users::Column::Active)
            .column(users::Column::TokensValidAfter)
            .into_tuple()
            .one(db)
            .await?;
        let revoked: HashSet<Uuid> = if families.is_empty() {
            HashSet::new()
        } else {
            refresh_tokens::Entity::find()
                .select_only()
                .column(refresh_tokens::Column::FamilyId)
                .filter(refresh_tokens::Column::FamilyId.is_in(families))
                .filter(refresh_tokens::Column::RevokedAt.is_not_null())
                .distinct()
                .into_tuple::<Uuid>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        let Ok(subs) = self.inner.subs.lock() else {
            return Ok(());
        };
        for s in subs.values().filter(|s| s.user_id == user) {
            let why = match &row {
                Some((role, active, tokens_valid_after)) => Now {
                    role: *role,
                    active: *active,
                    tokens_valid_after: *tokens_valid_after,
                }
                .refuses(s)
                .or_else(|| {
                    s.family
                        .is_some_and(|f| revoked.contains(&f))
                        .then_some(CloseWhy::SessionEnded)
                }),
                None => Some(CloseWhy::AccessLost),
            };
            if let Some(why) = why {
                let _ = s.close.try_send(why);
            }
        }
        Ok(())
    }

    /// Every subscribed user re-checked, after notices may have been missed.
    async fn recheck_all(&self, db: &DatabaseConnection) -> AppResult<()> {
        for user in self.subscribed_users() {
            self.recheck(db, user).await?;
        }
        Ok(())
    }
}
