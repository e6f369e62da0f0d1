//! PostgreSQL: a dedicated connection `LISTEN`s and forwards notices into the replica's
//! broadcast; it reconnects after a failure (events sent meanwhile are caught up by
//! `handoffs(filter: {updatedSince:})` after the client reconnects), and then has every
//! socket re-checked, since a "sessions ended" notice may have been missed.

use tokio::sync::broadcast;

use super::{CHANNEL, Hub, Notice};

impl Hub {
    pub(super) async fn listen(&self, url: String, tx: broadcast::Sender<Notice>) {
        let mut stop = self.on_shutdown();
        use sea_orm::sqlx::postgres::PgListener;
        let mut connected_before = false;
        loop {
            let listener = match PgListener::connect(&url).await {
                Ok(mut l) => l.listen(CHANNEL).await.map(|()| l),
                Err(e) => Err(e),
            };
            let mut listener = match listener {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for handoff events; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            self.inner.listening.send_replace(true);
            if std::mem::replace(&mut connected_before, true) {
                let _ = tx.send(Notice::Reconnected);
            }
            loop {
                tokio::select! {
                    // `try_recv`, not `recv`: `recv` reconnects by itself and hides that
                    // notices were missed meanwhile; a loss here is answered by a new
                    // listener and a re-check of every socket.
                    n = listener.try_recv() => match n {
                        Ok(Some(n)) => {
                            if let Some(notice) = Notice::parse(n.payload()) {
                                let _ = tx.send(notice);
                            }
                        }
                        lost => {
                            let error = lost.err().map(|e| e.to_string());
                            tracing::warn!(?error, "handoff event listener lost; reconnecting");
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
