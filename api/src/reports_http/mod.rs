//! `GET /reports/territories.csv` and `GET /reports/territories.html`: the territory
//! report as a download, for a bearer token or a signed link (`reportLink`), with the
//! same scope rules and numbers as `territoryReport`. Failures are HTTP statuses:
//! 400 bad arguments, 401 no or bad credentials, 403 not allowed, 404 unknown root.

mod page;

use std::{collections::HashMap, sync::Arc};

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use serde_json::json;

use crate::{
    auth::{actor, report_link},
    domain::{GlobalId, Period},
    error::AppError,
    services::{
        report_table::{self, cells, csv_line, header_line},
        reports::{self, TerritoryReport},
    },
    state::AppState,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports/territories.csv", web::get().to(territories_csv))
        .route("/reports/territories.html", web::get().to(territories_html));
}

type Query = web::Query<HashMap<String, String>>;

fn failure(err: &AppError) -> HttpResponse {
    if let AppError::Internal(cause) = err {
        tracing::error!(%cause, "internal error");
    }
    let mut body = json!({ "error": err.to_string(), "code": err.code() });
    if let AppError::BadUserInput { field, .. } = err {
        body["field"] = json!(field);
    }
    let mut resp = HttpResponse::build(err.http_status());
    if matches!(err, AppError::Unauthenticated(_)) {
        resp.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    resp.json(body)
}

/// Authenticates the request (signed link or bearer token), checks the arguments and
/// computes the report the caller may see.
async fn prepare(
    req: &HttpRequest,
    q: &HashMap<String, String>,
    state: &AppState,
    kind: &str,
) -> Result<TerritoryReport, AppError> {
    let root_raw = q.get("rootId").map(String::as_str).unwrap_or("");
    let period_raw = q.get("period").map(String::as_str).unwrap_or("");
    let caller = match q.get("link") {
        Some(link) => {
            report_link::resolve(&state.keys, &state.db, link, kind, root_raw, period_raw).await?
        }
        None => {
            let auth = req
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap_or("\u{0}invalid"));
            actor::resolve(auth, &state.keys, &state.db).await?
        }
    };
    let actor = caller.actor()?;
    let period = Period::parse(period_raw, "period")?;
    let root = GlobalId::decode_as(root_raw, "Territory", "rootId")?;
    reports::territory_report(
        &state.db,
        actor,
        root,
        period,
        state.config.fiscal_year_start_month,
        state.clock.now().date_naive(),
    )
    .await
}

fn attachment(name: &str) -> (header::HeaderName, String) {
    (
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{name}\""),
    )
}

async fn territories_csv(req: HttpRequest, q: Query, state: web::Data<AppState>) -> HttpResponse {
    match prepare(&req, &q, &state, "csv").await {
        Err(e) => failure(&e),
        Ok(report) => {
            let name = report_table::file_name(&report, "csv");
            let report = Arc::new(report);
            let total = report.territories.len() + report.reps.len();
            // Lines are formatted as the body is sent, one chunk per row.
            let lines = std::iter::once(header_line()).chain((0..total).filter_map(move |i| {
                let t = report.territories.len();
                let row = if i < t {
                    report.territories.get(i)
                } else {
                    report.reps.get(i - t)
                };
                row.map(|row| csv_line(&cells(row)))
            }));
            let body = futures_util::stream::iter(
                lines.map(|l| Ok::<_, actix_web::Error>(web::Bytes::from(l))),
            );
            HttpResponse::Ok()
                .content_type("text/csv; charset=utf-8")
                .insert_header(attachment(&name))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .streaming(body)
        }
    }
}

async fn territories_html(req: HttpRequest, q: Query, state: web::Data<AppState>) -> HttpResponse {
    match prepare(&req, &q, &state, "html").await {
        Err(e) => failure(&e),
        Ok(report) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            // Self-contained: nothing may load, nothing may run.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}\"",
                    report_table::file_name(&report, "html")
                ),
            ))
            .body(page::render(&report)),
    }
}
