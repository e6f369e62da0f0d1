//! HTTP routes: `/graphql` (POST, GET, GraphiQL), `/healthz`, `/readyz`, `/metrics`.
//!
//! GraphQL over HTTP as its specification says: POST with JSON, GET for queries only,
//! the response media type chosen by `Accept`, status 400 for a request that does not
//! parse or validate, and every error carrying `extensions.code`.

use std::time::Instant;

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use async_graphql::{
    BatchRequest, BatchResponse, Request, Response, ServerError,
    parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet},
};
use futures_util::StreamExt;
use serde_json::json;

use crate::{
    auth::{actor, policy},
    error::code_for_uncoded_error,
    graphql::{Schemas, context::RequestData, loaders::Loaders},
    state::AppState,
};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphql", web::post().to(graphql_post))
        .route("/graphql", web::get().to(graphql_get))
        .route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready" })),
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

async fn graphql_post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let started = Instant::now();
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
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL request: {e}"),
                media,
            );
        }
    };
    let response = execute(&req, batch, false, &state, &schema, media).await;
    observe(&state, "graphql", &response, started);
    response
}

async fn graphql_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    schema: web::Data<Schemas>,
) -> HttpResponse {
    let started = Instant::now();
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && req.query_string().is_empty() && state.config.graphiql {
        let page = async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("salesgraph")
            .finish();
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page);
    }
    let Some(media) = response_type(&req) else {
        return HttpResponse::NotAcceptable().finish();
    };
    let request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                &format!("bad query string: {e}"),
                media,
            );
        }
    };
    let response = execute(
        &req,
        BatchRequest::Single(request),
        true,
        &state,
        &schema,
        media,
    )
    .await;
    observe(&state, "graphql", &response, started);
    response
}

fn observe(state: &AppState, route: &str, response: &HttpResponse, started: Instant) {
    let m = &state.metrics;
    m.requests
        .with_label_values(&[route, response.status().as_str()])
        .inc();
    m.latency
        .with_label_values(&[route])
        .observe(started.elapsed().as_secs_f64());
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
    for r in &requests {
        if let Ok(doc) = async_graphql::parser::parse_query(&r.query) {
            if is_get && selected_is_mutation(&doc, r.operation_name.as_deref()) {
                return HttpResponse::MethodNotAllowed()
                    .insert_header((header::ALLOW, "POST"))
                    .content_type(media)
                    .json(json!({ "errors": [{ "message": "mutations are sent with POST", "extensions": { "code": "BAD_USER_INPUT" } }] }));
            }
            let aliases = count_aliases(&doc);
            if aliases > limits.max_aliases {
                return error_body(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "the query uses {aliases} aliases; at most {} are allowed",
                        limits.max_aliases
                    ),
                    media,
                );
            }
        }
    }

    let auth_header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}invalid"));
    let caller = match actor::resolve(auth_header, &state.keys, &state.db).await {
        Ok(c) => c,
        Err(e) => {
            let err: async_graphql::Error = e.into();
            let body = Response::from_errors(vec![err.into_server_error(Default::default())]);
            return shape(BatchResponse::Single(body), true, media, state);
        }
    };

    // The caller's role picks the schema: partners are served only the allowlist.
    let audience = policy::fields::audience(caller.actor().ok().map(|a| a.role));
    let mut responses = Vec::with_capacity(requests.len());
    for r in requests {
        let actor = caller.actor().ok().cloned();
        let r: Request = r.data(RequestData {
            caller: caller.clone(),
            loaders: Loaders::new(state.db.clone(), actor),
        });
        responses.push(execute_guarded(schema, audience, r).await);
    }
    let batch = if single {
        BatchResponse::Single(responses.remove(0))
    } else {
        BatchResponse::Batch(responses)
    };
    shape(batch, single, media, state)
}

/// Runs one request; a panic inside a resolver is caught here, logged, and answered as
/// an internal error, so it cannot drop the connection or take down the worker.
async fn execute_guarded(
    schema: &Schemas,
    audience: policy::fields::Audience,
    request: Request,
) -> Response {
    use futures_util::FutureExt as _;
    match std::panic::AssertUnwindSafe(schema.execute(audience, request))
        .catch_unwind()
        .await
    {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let err: async_graphql::Error =
                crate::error::AppError::internal(format!("panic while resolving: {what}")).into();
            Response::from_errors(vec![err.into_server_error(Default::default())])
        }
    }
}

/// Codes errors that async-graphql raised itself, counts errors by code, and picks the
/// status: 400 when a single request failed before execution (parse or validation).
fn shape(mut batch: BatchResponse, single: bool, media: &str, state: &AppState) -> HttpResponse {
    let mut request_error = false;
    let mut fix = |resp: &mut Response| {
        let before_execution = resp.data == async_graphql::Value::Null
            && !resp.errors.is_empty()
            && resp.errors.iter().all(|e| code_of(e).is_none());
        if before_execution {
            request_error = true;
        }
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
    };
    match &mut batch {
        BatchResponse::Single(r) => fix(r),
        BatchResponse::Batch(rs) => rs.iter_mut().for_each(&mut fix),
    }
    let status = if request_error && single {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status).content_type(media).json(&batch)
}

fn code_of(e: &ServerError) -> Option<String> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => Some(s.clone()),
        async_graphql::Value::Enum(s) => Some(s.to_string()),
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

/// Aliases anywhere in the document, fragments included.
fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|sel| match &sel.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node)
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let ops: usize = doc
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum();
    let frags: usize = doc
        .fragments
        .values()
        .map(|f| walk(&f.node.selection_set.node))
        .sum();
    ops + frags
}
