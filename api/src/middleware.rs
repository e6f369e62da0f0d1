//! What every response passes through, early refusals included: a request id, one
//! access-log line, the request metrics, and compression only where it pays.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// Bodies smaller than this are sent as they are: compressing them costs more than it saves.
pub const COMPRESS_MIN_BYTES: u64 = 1024;
const MAX_REQUEST_ID_LEN: usize = 64;

/// The request's id: the client's own when it is a sane token, else a new one.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// What a handler learned about the request, for the access log and the metrics.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    /// The GraphQL operation name as the client sent it (unchecked).
    pub operation: Option<String>,
    pub actor: Option<Uuid>,
}

/// Records what a handler learned; read back once the response is built.
pub fn note(req: &actix_web::HttpRequest, info: RequestInfo) {
    req.extensions_mut().insert(info);
}

fn sane_request_id(raw: &HeaderValue) -> Option<String> {
    let s = raw.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= MAX_REQUEST_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| s.to_string())
}

/// Request id, span, access log and metrics for every request.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(sane_request_id)
        .unwrap_or_else(|| Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // The path only: query strings may carry signed links or persisted-query hashes.
    // Attribute names are OpenTelemetry's HTTP and GraphQL conventions; the span is the
    // server side of the caller's trace when it sent W3C trace context.
    let span = tracing::info_span!(
        "request",
        otel.kind = "server",
        otel.name = %format_args!("{} {}", req.method(), req.path()),
        otel.status_code = tracing::field::Empty,
        request_id = %id,
        http.request.method = %req.method(),
        url.path = %req.path(),
        http.response.status_code = tracing::field::Empty,
        graphql.operation.name = tracing::field::Empty,
        actor = tracing::field::Empty,
    );
    crate::telemetry::continue_trace(&span, req.headers());
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let mut res = match result {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            // Handlers answer their own errors; only a middleware further in can end up
            // here, and actix turns the error into its response after us.
            tracing::info!(parent: &span, error = %err, "request refused by middleware");
            return Err(err);
        }
    };
    let status = res.status();
    let info = res
        .request()
        .extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    if let Some(op) = &info.operation {
        span.record(
            "graphql.operation.name",
            crate::telemetry::escaped(op).as_str(),
        );
    }
    if let Some(actor) = info.actor {
        span.record("actor", tracing::field::display(actor));
    }
    let ms = elapsed.as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(parent: &span, status = status.as_u16(), duration_ms = ms, "request");
    } else {
        tracing::info!(parent: &span, status = status.as_u16(), duration_ms = ms, "request");
    }
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state.metrics.observe_request(
            &route,
            info.operation.as_deref(),
            status.as_str(),
            elapsed.as_secs_f64(),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(res)
}

/// Placed inside `Compress`: marks small bodies `identity`, which `Compress` leaves alone.
pub async fn skip_small_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let small =
        matches!(res.response().body().size(), BodySize::Sized(n) if n < COMPRESS_MIN_BYTES);
    if small && !res.headers().contains_key(header::CONTENT_ENCODING) {
        res.headers_mut().insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        res.request().extensions_mut().insert(MarkedIdentity);
    }
    Ok(res)
}

struct MarkedIdentity;

/// With `SALESGRAPH_METRICS_ADDR` set, `/metrics` is served on that port only, and
/// nothing else is: every other pair answers 404.
pub async fn metrics_port_only(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let metrics_port = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| s.metrics_port);
    if let Some(port) = metrics_port {
        let on_metrics_port = req.app_config().local_addr().port() == port;
        if on_metrics_port != (req.path() == "/metrics") {
            let (req, _) = req.into_parts();
            let res = actix_web::HttpResponse::NotFound().finish();
            return Ok(ServiceResponse::new(req, res));
        }
    }
    next.call(req).await
}

/// Placed outside `Compress`: removes the marker `skip_small_bodies` set.
pub async fn unmark_small_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    if res.request().extensions().contains::<MarkedIdentity>() {
        res.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_bounded_safe_tokens() {
        let ok = |s: &str| sane_request_id(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123_x.y:z").as_deref(), Some("abc-123_x.y:z"));
        assert!(ok("").is_none());
        assert!(ok(&"a".repeat(65)).is_none());
        for bad in ["a b", "a\"b", "a<script>", "ü"] {
            if let Ok(v) = HeaderValue::from_str(bad) {
                assert!(sane_request_id(&v).is_none(), "{bad}");
            }
        }
    }
}
