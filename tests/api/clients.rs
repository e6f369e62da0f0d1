//! The API as frontend teams consume it: graphql-codegen generates types from the
//! checked-in `schema.graphql` for real operations, TypeScript checks them, and Apollo
//! Client 3 runs them (auth link, automatic persisted queries over GET, relay-style
//! pagination) against this server. Node and npm packages pinned in
//! `tests/clients/package-lock.json`; skipped loudly without Node, never under CI=true.

use std::{path::Path, process::Command};

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

#[tokio::test]
async fn apollo_client_runs_codegen_typed_operations() {
    if !(on_path("node") && on_path("npm")) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Node and npm are required under CI"
        );
        eprintln!("SKIPPED apollo_client_runs_codegen_typed_operations: no node/npm on PATH");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    if !dir.join("node_modules").is_dir() {
        run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
    }
    run(&dir, "npm", &["run", "--silent", "codegen"]);
    run(&dir, "npm", &["run", "--silent", "check"]);

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
