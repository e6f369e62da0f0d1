//! GraphiQL served from the binary: the page, its bootstrap script and the vendored
//! GraphiQL 4 / React 18 bundles (`vendor/`), so it needs no CDN, works offline and
//! runs under `Content-Security-Policy: default-src 'self'` (no inline script or style).

use actix_web::{HttpResponse, http::header, web};

/// The policy the page is served with; the test drives the page under exactly this.
/// GraphiQL's stylesheet embeds its fonts as `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; font-src 'self' data:";

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! vendored {
    ($file:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../vendor/", $file))
    };
}

/// Versioned paths: a new version is a new URL, so browsers may cache them forever.
const ASSETS: &[Asset] = &[
    Asset {
        path: "react-18.3.1.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: vendored!("react-18.3.1/react.production.min.js"),
    },
    Asset {
        path: "react-dom-18.3.1.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: vendored!("react-dom-18.3.1/react-dom.production.min.js"),
    },
    Asset {
        path: "graphiql-4.1.2.min.js",
        content_type: "text/javascript; charset=utf-8",
        body: vendored!("graphiql-4.1.2/graphiql.min.js"),
    },
    Asset {
        path: "graphiql-4.1.2.min.css",
        content_type: "text/css; charset=utf-8",
        body: vendored!("graphiql-4.1.2/graphiql.min.css"),
    },
    Asset {
        path: "page-1.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("page.css"),
    },
    Asset {
        path: "start-2.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("start.js"),
    },
];

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>salesgraph — GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql-4.1.2.min.css">
<link rel="stylesheet" href="/graphiql/page-1.css">
</head>
<body>
<div id="graphiql" data-endpoint="/graphql">Loading GraphiQL…</div>
<script src="/graphiql/react-18.3.1.min.js"></script>
<script src="/graphiql/react-dom-18.3.1.min.js"></script>
<script src="/graphiql/graphiql-4.1.2.min.js"></script>
<script src="/graphiql/start-2.js"></script>
</body>
</html>
"#;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphiql/{file}", web::get().to(asset));
}

/// The GraphiQL page (`GET /graphql` with `Accept: text/html`).
pub fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE)
}

async fn asset(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|a| a.path == file.as_str()) {
        Some(a) => immutable(a.content_type).body(a.body),
        None => HttpResponse::NotFound().finish(),
    }
}

fn immutable(content_type: &str) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    b
}
