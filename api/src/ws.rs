//! The `graphql-transport-ws` protocol at `/graphql`, driven by hand over actix-ws:
//! the exact close codes (4400 malformed, 4401 subscribe before ack or a token to
//! refresh, 4403 may not subscribe or access lost, 4408 no `connection_init` in time,
//! 4409 duplicate operation id, 4429 repeated `connection_init`; 1001 on shutdown),
//! the token in `connection_init`, per-replica limits (`sockets.rs`), a bounded
//! outbound queue, and keep-alive pings.
//!
//! The protocol names no code for a token that is not, or stops being, valid; we close
//! with 4401 (Unauthorized), as HTTP answers 401 for it: the token expired (timed
//! against the app's clock) or was ended by a sign-out, password reset or revoked
//! session, and the client should refresh it and reconnect. graphql-ws's client does
//! not retry 4401 by itself, it hands the close to the application, which is the moment
//! to refresh. 4403 stays for a user who may not subscribe and for access lost
//! (deactivated, role changed), where a fresh token does not help; 4400 for a
//! `connection_init` without a token, a client bug that retrying cannot fix.

use std::{collections::HashMap, sync::Arc, time::Duration};

use actix_web::{
    HttpRequest, HttpResponse,
    http::header::{HeaderName, HeaderValue},
    web,
};
use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::{sync::mpsc, task::JoinHandle, time::Instant};

use crate::{
    auth::actor::{self, Caller},
    error::AppError,
    events::{CloseWhy, SocketCtl},
    graphql::{AppSchema, context::RequestData, loaders::Loaders},
    sockets::{PendingSlot, UserSlot},
    state::AppState,
};

pub const PROTOCOL: &str = "graphql-transport-ws";
/// Largest message a client may send; a subscription document is small.
const MAX_FRAME: usize = 64 * 1024;

/// Upgrades a `GET /graphql` that asks for `graphql-transport-ws`.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> HttpResponse {
    let offered = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !offered.split(',').any(|p| p.trim() == PROTOCOL) {
        return HttpResponse::BadRequest()
            .body("subscriptions use the graphql-transport-ws WebSocket subprotocol");
    }
    let limit = state.config.live.max_pending_sockets;
    let Some(pending) = state.sockets.pending(limit) else {
        state
            .metrics
            .ws_refusals
            .with_label_values(&["pending_sockets"])
            .inc();
        return HttpResponse::ServiceUnavailable()
            .insert_header(("retry-after", "1"))
            .body(format!(
                "too many sockets waiting for connection_init (max {limit}); retry shortly"
            ));
    };
    let (mut resp, session, stream) = match actix_ws::handle(&req, body) {
        Ok(parts) => parts,
        Err(e) => return e.error_response(),
    };
    resp.headers_mut().insert(
        HeaderName::from_static("sec-websocket-protocol"),
        HeaderValue::from_static(PROTOCOL),
    );
    let stream = stream.max_frame_size(MAX_FRAME);
    actix_web::rt::spawn(run(
        session,
        stream,
        state.into_inner(),
        schema.into_inner(),
        pending,
    ));
    resp
}

type Close = (u16, String);

fn close(code: u16, why: &str) -> Close {
    (code, why.to_string())
}

/// One socket's state between messages.
struct Socket {
    state: Arc<AppState>,
    schema: Arc<AppSchema>,
    out: mpsc::Sender<String>,
    closer: mpsc::Sender<CloseWhy>,
    init: bool,
    caller: Option<Caller>,
    /// The token's `exp` and `iat_ms`, once `connection_init` was accepted.
    expires_at: Option<DateTime<Utc>>,
    token_issued_ms: i64,
    ops: HashMap<String, JoinHandle<()>>,
    /// Held until `connection_init`, then exchanged for the user's slot.
    pending: Option<PendingSlot>,
    user_slot: Option<UserSlot>,
}

impl Socket {
    /// When the token expires as a timer instant, measured against the app's clock (a
    /// test moves it instead of waiting).
    fn expiry(&self) -> Option<Instant> {
        let left = (self.expires_at? - self.state.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        Some(Instant::now() + left)
    }
}

async fn run(
    mut session: Session,
    mut stream: MessageStream,
    state: Arc<AppState>,
    schema: Arc<AppSchema>,
    pending: PendingSlot,
) {
    let live = state.config.live.clone();
    let (out, mut out_rx) = mpsc::channel::<String>(live.queue);
    let (closer, mut close_rx) = mpsc::channel::<CloseWhy>(4);
    let mut shutdown = state.hub.on_shutdown();
    let mut clock_moved = state.clock.changes();
    let mut socket = Socket {
        state,
        schema,
        out,
        closer,
        init: false,
        caller: None,
        expires_at: None,
        token_issued_ms: 0,
        ops: HashMap::new(),
        pending: Some(pending),
        user_slot: None,
    };
    let init_deadline = tokio::time::sleep(live.init_timeout);
    tokio::pin!(init_deadline);
    let far = Instant::now() + Duration::from_secs(365 * 86_400);
    let expiry = tokio::time::sleep_until(far);
    tokio::pin!(expiry);
    let mut keepalive = tokio::time::interval(live.keepalive);
    keepalive.tick().await;
    let reason: Option<Close> = loop {
        tokio::select! {
            // Queued messages go out before the next inbound one is read, so a `pong`
            // follows every event queued before its `ping`.
            biased;
            Some(text) = out_rx.recv() => {
                if session.text(text).await.is_err() {
                    break None;
                }
            }
            Some(why) = close_rx.recv() => break Some(match why {
                CloseWhy::AccessLost => close(4403, "Forbidden: access lost"),
                CloseWhy::SessionEnded => close(4401, "Unauthorized: session ended"),
                CloseWhy::TooSlow => close(1008, "Subscriber too slow"),
            }),
            _ = shutdown.changed() => break Some(close(1001, "Server shutting down")),
            _ = &mut init_deadline, if !socket.init => {
                break Some(close(4408, "Connection initialisation timeout"));
            }
            _ = &mut expiry, if socket.expires_at.is_some() => {
                break Some(close(4401, "Unauthorized: token expired"));
            }
            Ok(()) = clock_moved.changed() => {
                if let Some(at) = socket.expiry() {
                    expiry.as_mut().reset(at);
                }
            }
            _ = keepalive.tick() => {
                if session.ping(b"").await.is_err() {
                    break None;
                }
            }
            msg = stream.recv() => match msg {
                None | Some(Ok(Message::Close(_))) => break None,
                Some(Err(_)) => break Some(close(4400, "Malformed frame")),
                Some(Ok(Message::Text(text))) => {
                    let before = socket.expires_at;
                    if let Err(c) = socket.on_text(&text).await {
                        break Some(c);
                    }
                    if socket.expires_at != before
                        && let Some(at) = socket.expiry()
                    {
                        expiry.as_mut().reset(at);
                    }
                }
                Some(Ok(Message::Ping(bytes))) => {
                    if session.pong(&bytes).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Binary(_) | Message::Continuation(_))) => {
                    break Some(close(4400, "Only text messages are part of the protocol"));
                }
                Some(Ok(_)) => {}
            },
        }
    };
    for (_, op) in socket.ops.drain() {
        op.abort();
    }
    let reason = reason.map(|(code, why)| CloseReason {
        code: CloseCode::Other(code),
        description: Some(why),
    });
    let _ = session.close(reason).await;
}

impl Socket {
    fn refused(&self, limit: &str) {
        self.state
            .metrics
            .ws_refusals
            .with_label_values(&[limit])
            .inc();
    }

    /// Ends operation `id` before it runs: an `error` message carrying `e`, counted by
    /// its code as over HTTP.
    async fn refuse_operation(&self, id: &str, e: AppError) -> Result<(), Close> {
        self.state
            .metrics
            .errors
            .with_label_values(&[e.code()])
            .inc();
        let errors = [crate::error::request_error(e)];
        self.out
            .send(frame(id, "error", &errors))
            .await
            .map_err(|_| close(1011, "Internal error"))
    }

    async fn send(&self, v: Value) -> Result<(), Close> {
        self.out
            .send(v.to_string())
            .await
            .map_err(|_| close(1011, "Internal error"))
    }

    async fn on_text(&mut self, text: &str) -> Result<(), Close> {
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            return Err(close(4400, "Invalid message: not JSON"));
        };
        match msg["type"].as_str() {
            Some("connection_init") => self.on_init(&msg["payload"]).await,
            Some("ping") => self.send(json!({ "type": "pong" })).await,
            Some("pong") => Ok(()),
            Some("subscribe") => self.on_subscribe(&msg).await,
            Some("complete") => {
                let Some(id) = msg["id"].as_str() else {
                    return Err(close(4400, "Invalid message: complete without id"));
                };
                if let Some(op) = self.ops.remove(id) {
                    op.abort();
                }
                Ok(())
            }
            _ => Err(close(4400, "Invalid message: unknown type")),
        }
    }

    async fn on_init(&mut self, payload: &Value) -> Result<(), Close> {
        if self.init {
            return Err(close(4429, "Too many initialisation requests"));
        }
        self.init = true;
        self.pending = None;
        // A malformed payload is the client's bug (4400, not retried by graphql-ws); a
        // token that is not, or no longer, valid calls for a refresh (4401); a valid
        // token whose user may not subscribe, for nothing the client can fix (4403).
        if !payload.is_object() {
            return Err(close(
                4400,
                "connection_init needs a payload object with a token",
            ));
        }
        let token = payload["token"].as_str().map(str::to_string).or_else(|| {
            payload["Authorization"]
                .as_str()
                .or_else(|| payload["authorization"].as_str())
                .map(|h| h.trim_start_matches("Bearer ").to_string())
        });
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(close(4400, "connection_init payload has no token"));
        };
        let st = &self.state;
        let claims = match st.keys.verify(&token) {
            Ok(claims) => claims,
            Err(_) if st.keys.is_expired(&token) => {
                return Err(close(4401, "Unauthorized: token expired"));
            }
            Err(_) => return Err(close(4401, "Unauthorized: token invalid")),
        };
        let header = format!("Bearer {token}");
        let Ok(caller @ Caller::Authenticated(_)) =
            actor::resolve(Some(&header), &st.keys, &st.db).await
        else {
            // Signed out, deactivated, the session revoked: a new sign-in, if any, helps.
            return Err(close(4401, "Unauthorized: token invalid"));
        };
        // The socket serves the internal schema; partner users are served only their
        // allowlisted schema, which has no subscriptions, so they are refused here.
        let role = caller.actor().ok().map(|a| a.role);
        if crate::auth::policy::fields::audience(role)
            != crate::auth::policy::fields::Audience::Internal
        {
            return Err(close(
                4403,
                "Forbidden: partner users have no subscriptions",
            ));
        }
        let max = self.state.config.live.max_sockets_per_user;
        let user = caller.actor().ok().map(|a| a.user_id).unwrap_or_default();
        let Some(slot) = self.state.sockets.user(user, max) else {
            self.refused("sockets_per_user");
            return Err(close(4403, &format!("too many sockets (max {max})")));
        };
        self.user_slot = Some(slot);
        self.expires_at = Some(
            DateTime::from_timestamp(i64::try_from(claims.exp).unwrap_or(i64::MAX), 0)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
        self.token_issued_ms = claims.iat_ms;
        // A socket lives far longer than a request: its scopes derive the team and
        // territories in SQL at each event, never from ids read when it connected.
        let caller = match caller {
            Caller::Authenticated(mut actor) => {
                actor.ids = Default::default();
                Caller::Authenticated(actor)
            }
            other => other,
        };
        self.caller = Some(caller);
        self.send(json!({ "type": "connection_ack" })).await
    }

    async fn on_subscribe(&mut self, msg: &Value) -> Result<(), Close> {
        let Some(caller) = self.caller.clone() else {
            return Err(close(4401, "Unauthorized"));
        };
        let Some(id) = msg["id"].as_str().filter(|i| !i.is_empty()) else {
            return Err(close(4400, "Invalid message: subscribe without id"));
        };
        if self.ops.get(id).is_some_and(|op| !op.is_finished()) {
            return Err(close(4409, &format!("Subscriber for {id} already exists")));
        }
        self.ops.retain(|_, op| !op.is_finished());
        let max = self.state.config.live.max_subscriptions_per_socket;
        if self.ops.len() >= max {
            self.refused("subscriptions_per_socket");
            let e = AppError::LimitReached(format!(
                "too many subscriptions on this socket (max {max}); complete one first"
            ));
            return self.refuse_operation(id, e).await;
        }
        let mut payload = msg["payload"].clone();
        crate::persisted::carry_document_id(&mut payload);
        let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(payload) else {
            return Err(close(4400, "Invalid message: bad subscribe payload"));
        };
        // The same gate as HTTP before anything runs: trusted documents, introspection,
        // the document's size and cost, input edges. Each answer is then put in the
        // document's key order (`graphql::order`), as over HTTP.
        let mut ordering = None;
        match crate::graphql::admit::admit(&self.state, &mut request) {
            Ok(admitted) => {
                if let Some(doc) = admitted.doc {
                    ordering = Some(doc.clone());
                    request.set_parsed_query(doc);
                }
            }
            Err(e) => return self.refuse_operation(id, e).await,
        }
        let actor = caller.actor().ok().cloned();
        let request = request
            .data(RequestData::new(
                caller,
                Loaders::new(self.state.db.clone(), actor),
                self.state.config.limits.max_fields,
            ))
            .data(SocketCtl {
                close: self.closer.clone(),
                token_issued_ms: self.token_issued_ms,
            });
        let schema = self.schema.clone();
        let out = self.out.clone();
        let id = id.to_string();
        let op_id = id.clone();
        let (operation_name, variables) =
            (request.operation_name.clone(), request.variables.clone());
        let task = tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut responses = schema.execute_stream(request);
            let mut first = true;
            while let Some(mut resp) = responses.next().await {
                if let Some(doc) = &ordering {
                    crate::graphql::order::reorder(
                        doc,
                        operation_name.as_deref(),
                        &variables,
                        &mut resp.data,
                    );
                }
                // As over HTTP, errors async-graphql raised itself (validation,
                // variables) are the client's input.
                for e in &mut resp.errors {
                    let ext = e.extensions.get_or_insert_with(Default::default);
                    if ext.get("code").is_none() {
                        ext.set("code", crate::error::code_for_uncoded_error());
                    }
                }
                // Refused before it produced anything: an `error` ends the operation.
                if first && resp.data == async_graphql::Value::Null && !resp.errors.is_empty() {
                    let _ = out.send(frame(&id, "error", &resp.errors)).await;
                    return;
                }
                first = false;
                if out.send(frame(&id, "next", &resp)).await.is_err() {
                    return;
                }
            }
            let _ = out
                .send(json!({ "id": id, "type": "complete" }).to_string())
                .await;
        });
        self.ops.insert(op_id, task);
        Ok(())
    }
}

/// A protocol message carrying `payload`, serialized straight into the frame: a detour
/// through `serde_json::Value` would sort the answer's keys, which follow the document.
fn frame(id: &str, kind: &str, payload: &impl serde::Serialize) -> String {
    let id = serde_json::to_string(id).unwrap_or_default();
    let payload = serde_json::to_string(payload).unwrap_or_else(|_| "null".into());
    format!(r#"{{"id":{id},"type":"{kind}","payload":{payload}}}"#)
}
