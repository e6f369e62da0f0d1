//! HTTP routes: `/graphql` (POST, GET, GraphiQL), `/healthz`, `/readyz`, `/metrics`.
//!
//! GraphQL over HTTP as its specification says: POST with JSON, GET for queries only,
//! the response media type chosen by `Accept`, status 400 for a request that does not
//! parse or validate, and every error carrying `extensions.code`.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    BatchRequest, Request, Response, ServerError,
    parser::types::{ExecutableDocument, OperationType},
};
use futures_util::StreamExt;
use serde_json::json;

use crate::{
    auth::{actor, policy},
    error::{AppError, code_for_uncoded_error},
    graphql::{
        Schemas, admit, compiled, context::RequestData, loaders::Loaders, nulls, order,
        panic_guard, scalars, schema,
    },
    middleware::{self, RequestInfo},
    persisted,
    state::AppState,
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
/// What `Retry-After` says when the database is unavailable: about one pool timeout.
const RETRY_AFTER_SECS: u64 = 3;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphql", web::post().to(graphql_post))
        .route(
            "/graphql",
            web::get()
                .guard(actix_web::guard::Header("upgrade", "websocket"))
                .to(crate::ws::upgrade),
        )
        .route("/graphql", web::get().to(graphql_get))
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics))
        .configure(crate::reports_http::routes);
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready when the database answers. `liveEvents` says whether events committed now
/// reach this replica's subscribers (`listening`; on PostgreSQL once its `LISTEN` is in
/// place) or not yet (`connecting`); it does not change the status, since HTTP is served
/// either way.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let live = if state.hub.listening() {
        "listening"
    } else {
        "connecting"
    };
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready", "liveEvents": live })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(json!({ "status": "database unavailable" }))
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // Checked above, so the pool getters (which panic on the wrong backend) are safe.
    match &state.db.inner {
        sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let pool = state.db.get_postgres_connection_pool();
            state.metrics.pool_size.set(i64::from(pool.size()));
            state.metrics.pool_idle.set(pool.num_idle() as i64);
        }
        sea_orm::DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let pool = state.db.get_sqlite_connection_pool();
            state.metrics.pool_size.set(i64::from(pool.size()));
            state.metrics.pool_idle.set(pool.num_idle() as i64);
        }
        _ => {}
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// The media type to answer with, or `None` when `Accept` allows neither.
fn response_type(req: &HttpRequest) -> Option<&'static str> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(JSON);
    };
    let accept = accept.to_ascii_lowercase();
    if accept.contains(GRAPHQL_RESPONSE) {
        Some(GRAPHQL_RESPONSE)
    } else if accept.contains(JSON) || accept.contains("*/*") || accept.contains("application/*") {
        Some(JSON)
    } else {
        None
    }
}

fn error_body(status: StatusCode, message: &str, media: &str) -> HttpResponse {
    HttpResponse::build(status).content_type(media).json(json!({
        "errors": [{ "message": message, "extensions": { "code": "BAD_USER_INPUT" } }]
    }))
}

/// A well-formed request refused before execution (a limit, like a validation error):
/// 400 with `application/graphql-response+json`, 200 with `application/json`, as the
/// GraphQL-over-HTTP specification gives for request errors.
fn request_error(message: &str, media: &str) -> HttpResponse {
    let status = if media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    error_body(status, message, media)
}

/// A request refused before execution with one of our codes, shaped as a request error.
/// `PERSISTED_QUERY_NOT_FOUND` is the APQ protocol's normal first answer, sent with 200
/// as Apollo's clients expect, whatever the media type.
fn refused(e: AppError, media: &str, state: &AppState) -> HttpResponse {
    state.metrics.errors.with_label_values(&[e.code()]).inc();
    let apq_miss = matches!(e, AppError::PersistedQueryNotFound);
    let err: async_graphql::Error = e.into();
    let err = crate::error::request_error(err);
    let status = if media == GRAPHQL_RESPONSE && !apq_miss {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status)
        .content_type(media)
        .json(json!({ "errors": [err] }))
}

async fn graphql_post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let Some(media) = response_type(&req) else {
        return HttpResponse::NotAcceptable().finish();
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with(JSON) {
        return error_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send GraphQL requests as application/json",
            media,
        );
    }
    let limit = state.config.limits.max_body_bytes;
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return error_body(
                StatusCode::BAD_REQUEST,
                "the request body could not be read",
                media,
            );
        };
        if body.len() + chunk.len() > limit {
            return error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request body is larger than {limit} bytes"),
                media,
            );
        }
        body.extend_from_slice(&chunk);
    }
    let batch = match parse_body(&body) {
        Ok(b) => b,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL request: {e}"),
                media,
            );
        }
    };
    execute(&req, batch, false, &state, &schema, media).await
}

/// A request is a JSON object, a batch a non-empty array of them. Checked before serde
/// maps the body onto `Request`, which would also accept a JSON array as a struct.
fn parse_body(body: &[u8]) -> Result<BatchRequest, String> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let well_formed = match &value {
        serde_json::Value::Object(_) => true,
        serde_json::Value::Array(items) => {
            !items.is_empty() && items.iter().all(serde_json::Value::is_object)
        }
        _ => false,
    };
    if !well_formed {
        return Err("expected a JSON object, or a non-empty array of them".into());
    }
    match &mut value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(persisted::carry_document_id),
        item => persisted::carry_document_id(item),
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// `GET /graphql?query=…&operationName=…&variables=…&extensions=…&documentId=…`.
fn parse_query_string(qs: &str) -> Result<Request, String> {
    let params = web::Query::<std::collections::HashMap<String, String>>::from_query(qs)
        .map_err(|e| e.to_string())?
        .into_inner();
    let json = |key: &str| -> Result<Option<serde_json::Value>, String> {
        params
            .get(key)
            .map(|raw| serde_json::from_str(raw).map_err(|e| format!("{key} is not JSON: {e}")))
            .transpose()
    };
    let mut body = serde_json::Map::new();
    body.insert(
        "query".into(),
        params.get("query").cloned().unwrap_or_default().into(),
    );
    if let Some(name) = params.get("operationName") {
        body.insert("operationName".into(), name.clone().into());
    }
    for key in ["variables", "extensions"] {
        if let Some(v) = json(key)? {
            body.insert(key.into(), v);
        }
    }
    if let Some(id) = params.get(persisted::DOCUMENT_ID_KEY) {
        body.insert(persisted::DOCUMENT_ID_KEY.into(), id.clone().into());
    }
    let mut value = serde_json::Value::Object(body);
    persisted::carry_document_id(&mut value);
    serde_json::from_value(value).map_err(|e| e.to_string())
}

async fn graphql_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && req.query_string().is_empty() && state.config.graphiql {
        return crate::graphiql::page();
    }
    let Some(media) = response_type(&req) else {
        return HttpResponse::NotAcceptable().finish();
    };
    let request = match parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("bad query string: {e}"),
                media,
            );
        }
    };
    execute(
        &req,
        BatchRequest::Single(request),
        true,
        &state,
        &schema,
        media,
    )
    .await
}

/// Checks the request-level limits the schema does not know about, attaches the caller,
/// runs the batch and shapes the HTTP answer.
async fn execute(
    req: &HttpRequest,
    batch: BatchRequest,
    is_get: bool,
    state: &AppState,
    schema: &Schemas,
    media: &'static str,
) -> HttpResponse {
    let limits = &state.config.limits;
    let requests = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => rs,
    };
    let single = requests.len() == 1;
    if requests.is_empty() || requests.len() > limits.max_batch {
        return error_body(
            StatusCode::BAD_REQUEST,
            &format!("a batch holds 1 to {} requests", limits.max_batch),
            media,
        );
    }
    // Every request passes the one gate (`admit`): persisted documents resolved first,
    // so every check sees the document that will run; each document is parsed once.
    let mut requests = requests;
    let mut docs: Vec<Option<ExecutableDocument>> = Vec::with_capacity(requests.len());
    let mut batch_complexity: u64 = 0;
    for r in &mut requests {
        let admitted = match admit::admit(state, r) {
            Ok(a) => a,
            Err(e) => {
                let operation = r.operation_name.clone();
                middleware::note(
                    req,
                    RequestInfo {
                        operation,
                        actor: None,
                    },
                );
                return refused(e, media, state);
            }
        };
        if is_get
            && let Some(doc) = &admitted.doc
            && selected_is_mutation(doc, r.operation_name.as_deref())
        {
            return HttpResponse::MethodNotAllowed()
                .insert_header((header::ALLOW, "POST"))
                .content_type(media)
                .json(json!({ "errors": [{ "message": "mutations are sent with POST", "extensions": { "code": "BAD_USER_INPUT" } }] }));
        }
        batch_complexity = batch_complexity.saturating_add(admitted.complexity);
        docs.push(admitted.doc);
    }
    let operation = requests
        .first()
        .and_then(|r| operation_name(r, docs.first().and_then(Option::as_ref)));
    middleware::note(
        req,
        RequestInfo {
            operation: operation.clone(),
            actor: None,
        },
    );
    // A batch of cheap requests is as expensive as one request holding them all.
    let cost_limits = schema::cost_limits(limits);
    if batch_complexity > cost_limits.max_complexity {
        return request_error(
            &format!(
                "the batch has complexity {batch_complexity}; at most {} allowed",
                cost_limits.max_complexity
            ),
            media,
        );
    }

    let auth_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}invalid"));
    let caller = match actor::resolve(auth_header, &state.keys, &state.db).await {
        Ok(c) => c,
        Err(e) => {
            let err: async_graphql::Error = e.into();
            let body = Response::from_errors(vec![crate::error::request_error(err)]);
            return shape(vec![(body, None)], true, media, state);
        }
    };

    middleware::note(
        req,
        RequestInfo {
            operation,
            actor: caller.actor().ok().map(|a| a.user_id),
        },
    );
    // The deadline holds on both backends; dropping the work rolls back any open
    // transaction.
    let deadline = limits.request_timeout;
    // The caller's role picks the schema: partners are served only the allowlist.
    let audience = policy::fields::audience(caller.actor().ok().map(|a| a.role));
    let run = async {
        let mut responses = Vec::with_capacity(requests.len());
        for (mut r, doc) in requests.into_iter().zip(docs.iter_mut()) {
            // A read the one-statement path can answer (PostgreSQL, internal callers).
            let planned = match (&schema.planned, audience, doc.as_ref()) {
                (Some(_), policy::fields::Audience::Internal, Some(d)) => compiled::plan(
                    d,
                    r.operation_name.as_deref(),
                    &r.variables,
                    limits.max_fields,
                ),
                _ => None,
            };
            // The resolvers' answer is put in the document's order afterwards (`order`);
            // a planned answer is written in it.
            let ordering = if planned.is_none() { doc.clone() } else { None };
            if let Some(doc) = doc.take() {
                r.set_parsed_query(doc);
            }
            let actor = caller.actor().ok().cloned();
            let data = RequestData::new(
                caller.clone(),
                Loaders::new(state.db.clone(), actor),
                limits.max_fields,
            );
            let budget = data.budget.clone();
            let r: Request = r.data(data);
            let (query, operation_name) = (r.query.clone(), r.operation_name.clone());
            let variables = r.variables.clone();
            // A planned read's `data` comes as JSON text, next to a response without it.
            let (mut response, mut written) = match planned {
                Some(plan) => {
                    let (planned, answer) = compiled::Planned::new(plan);
                    let response =
                        panic_guard::guarded(schema.execute_planned(r.data(planned))).await;
                    (response, answer.take())
                }
                None => {
                    let mut response = execute_guarded(schema, audience, r).await;
                    if let Some(doc) = &ordering {
                        order::reorder(
                            doc,
                            operation_name.as_deref(),
                            &variables,
                            &mut response.data,
                        );
                    }
                    (response, None)
                }
            };
            if budget.spent() {
                // One error for the whole request, not one per list, and no partial data.
                let err: async_graphql::Error = budget.error().into();
                response = Response::from_errors(vec![crate::error::request_error(err)]);
                written = None;
            }
            scalars::name_refused_values(&mut response.errors, &query, &variables);
            if !response.errors.is_empty()
                && let (Some(types), Ok(doc)) = (
                    nulls::TypeMap::served(),
                    async_graphql::parser::parse_query(&query),
                )
            {
                nulls::propagate(types, &doc, operation_name.as_deref(), &mut response);
            }
            responses.push((response, written));
        }
        responses
    };
    let responses = match tokio::time::timeout(deadline, run).await {
        Ok(responses) => responses,
        Err(_) => {
            let err: async_graphql::Error = AppError::TooExpensive(format!(
                "the request took longer than {} ms; ask for less",
                deadline.as_millis()
            ))
            .into();
            let body = Response::from_errors(vec![crate::error::request_error(err)]);
            return shape(vec![(body, None)], true, media, state);
        }
    };
    shape(responses, single, media, state)
}

/// Runs one request; a panic inside a resolver is caught and answered as an internal
/// error (see `panic_guard`).
async fn execute_guarded(
    schema: &Schemas,
    audience: policy::fields::Audience,
    request: Request,
) -> Response {
    panic_guard::guarded(schema.execute(audience, request)).await
}

/// Codes errors that async-graphql raised itself, counts errors by code, and answers as
/// the GraphQL-over-HTTP specification says: a request that failed before execution
/// (parse, validation, variables) has no `data` key, and its status is 400 with
/// `application/graphql-response+json` but 200 with `application/json`.
/// The HTTP response for the requests' answers (one, unless the client sent a batch).
/// An answer may come with its `data` already written as JSON (a planned read).
fn shape(
    answers: Vec<(Response, Option<String>)>,
    single: bool,
    media: &str,
    state: &AppState,
) -> HttpResponse {
    let mut request_error = false;
    // A dependency down: the client should retry (`Retry-After`); with no data at all,
    // the GraphQL media type says so in the status too.
    let (mut unavailable, mut no_data) = (false, false);
    let mut fix = |(mut resp, written): (Response, Option<String>)| {
        if let Some(data) = written
            && resp.errors.is_empty()
            && resp.extensions.is_empty()
        {
            // What serializing a response with this `data` and nothing else writes.
            let mut out = Vec::with_capacity(data.len() + 10);
            out.extend_from_slice(b"{\"data\":");
            out.extend_from_slice(data.as_bytes());
            out.push(b'}');
            return out;
        }
        if resp
            .errors
            .iter()
            .any(|e| code_of(e).as_deref() == Some("UNAVAILABLE"))
        {
            unavailable = true;
            no_data |= resp.data == async_graphql::Value::Null;
        }
        let before_execution = resp.data == async_graphql::Value::Null
            && !resp.errors.is_empty()
            && resp.errors.iter().all(|e| code_of(e).is_none());
        request_error |= before_execution;
        for e in &mut resp.errors {
            if code_of(e).is_none() {
                e.extensions
                    .get_or_insert_with(Default::default)
                    .set("code", code_for_uncoded_error());
            }
            if let Some(code) = code_of(e) {
                state
                    .metrics
                    .errors
                    .with_label_values(&[code.as_str()])
                    .inc();
            }
        }
        if !before_execution {
            // Straight to bytes: a response is large, a detour through
            // `serde_json::Value` would build it a second time.
            return serde_json::to_vec(&resp).unwrap_or_default();
        }
        // A request refused before execution has no `data` key at all.
        let mut json = serde_json::to_value(&resp).unwrap_or_default();
        if let Some(obj) = json.as_object_mut() {
            obj.remove("data");
        }
        serde_json::to_vec(&json).unwrap_or_default()
    };
    let body = if single {
        answers.into_iter().next().map(&mut fix).unwrap_or_default()
    } else {
        let mut out = b"[".to_vec();
        for (i, r) in answers.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend(fix(r));
        }
        out.push(b']');
        out
    };
    let status = if request_error && single && media == GRAPHQL_RESPONSE {
        StatusCode::BAD_REQUEST
    } else if unavailable && no_data && single && media == GRAPHQL_RESPONSE {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut out = HttpResponse::build(status);
    if unavailable {
        out.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
    }
    out.content_type(media).body(body)
}

fn code_of(e: &ServerError) -> Option<String> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        async_graphql::Value::Enum(s) => Some(s.to_string()),
        _ => None,
    }
}

/// The operation's name for logs and metrics: the one the client selected, else the
/// name of the document's only operation.
fn operation_name(r: &Request, doc: Option<&ExecutableDocument>) -> Option<String> {
    use async_graphql::parser::types::DocumentOperations;
    if let Some(name) = &r.operation_name {
        return Some(name.clone());
    }
    match &doc?.operations {
        DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|k| k.to_string())
        }
        _ => None,
    }
}

fn selected_is_mutation(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    use async_graphql::parser::types::DocumentOperations;
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty != OperationType::Query,
        DocumentOperations::Multiple(ops) => match name {
            Some(n) => ops
                .iter()
                .any(|(k, op)| k.as_str() == n && op.node.ty != OperationType::Query),
            None => ops.values().any(|op| op.node.ty != OperationType::Query),
        },
    }
}
