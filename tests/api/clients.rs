//! The API as frontend teams consume it: graphql-codegen generates types from the
//! checked-in `schema.graphql` for real operations, TypeScript checks them, and Apollo
//! Client 3 runs them (auth link, automatic persisted queries over GET, relay-style
//! pagination) against this server. Node and npm packages pinned in
//! `tests/clients/package-lock.json`; skipped loudly without Node, never under CI=true.
//! The same package runs the graphql-http conformance audit.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
};

use serde_json::Value;

use crate::helpers::TestApp;

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{program} {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Installs the pinned packages once, generates the types and compiles; `None` (said
/// loudly) when this machine has no Node.
fn prepared(test: &str) -> Option<PathBuf> {
    static READY: OnceLock<Option<PathBuf>> = OnceLock::new();
    let ready = READY
        .get_or_init(|| {
            if !(on_path("node") && on_path("npm")) {
                return None;
            }
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
            if !dir.join("node_modules").is_dir() {
                run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
            }
            run(&dir, "npm", &["run", "--silent", "codegen"]);
            run(&dir, "npm", &["run", "--silent", "check"]);
            Some(dir)
        })
        .clone();
    if ready.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: Node and npm are required under CI"
        );
        eprintln!("SKIPPED {test}: no node/npm on PATH");
    }
    ready
}

async fn node(dir: &Path, args: Vec<String>) -> Value {
    let dir = dir.to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&dir, "node", &args)
    })
    .await
    .unwrap();
    serde_json::from_str(out.trim().lines().last().unwrap()).unwrap()
}

#[tokio::test]
async fn graphql_http_audit_passes_without_errors_or_warnings() {
    let Some(dir) = prepared("graphql_http_audit_passes_without_errors_or_warnings") else {
        return;
    };
    let app = TestApp::spawn().await;
    let seen = node(
        &dir,
        vec!["dist/audit.js".into(), format!("{}/graphql", app.addr)],
    )
    .await;
    assert!(seen["counts"]["ok"].as_u64().unwrap() >= 50, "{seen}");
    assert!(seen["counts"]["error"].is_null(), "{seen}");
    assert!(seen["counts"]["warn"].is_null(), "{seen}");
}

#[tokio::test]
async fn apollo_client_runs_codegen_typed_operations() {
    let Some(dir) = prepared("apollo_client_runs_codegen_typed_operations") else {
        return;
    };
    let app = TestApp::spawn().await;
    let url = format!("{}/graphql", app.addr);
    let token = app.token("director");
    let dir2 = dir.clone();
    let out =
        tokio::task::spawn_blocking(move || run(&dir2, "node", &["dist/run.js", &url, &token]))
            .await
            .unwrap();
    let seen: Value = serde_json::from_str(out.trim().lines().last().unwrap()).unwrap();
    assert_eq!(seen["email"], "director@test.example", "{seen}");
    assert_eq!(seen["role"], "DIRECTOR");
    // Every opportunity, each once, in pages of two.
    let ids: Vec<&str> = seen["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let total = seen["total"].as_u64().unwrap() as usize;
    assert!(total >= 3, "{seen}");
    assert_eq!(ids.len(), total, "{seen}");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), total, "no repeats: {seen}");
    assert_eq!(seen["pages"].as_u64().unwrap() as usize, total.div_ceil(2));

    // The persisted-query handshake happened: the hash was unknown once per operation.
    let metrics = app
        .client
        .get(format!("{}/metrics", app.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.contains(r#"code="PERSISTED_QUERY_NOT_FOUND""#)),
        "{metrics}"
    );
}
