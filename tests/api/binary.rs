//! The binary itself: configuration is validated at start, the schema export is the
//! checked-in file.

use std::process::Command;

fn salesgraph() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salesgraph"));
    // Run in an empty directory so no `.env` or database file is picked up.
    cmd.current_dir(std::env::temp_dir());
    for (k, _) in std::env::vars() {
        if k.starts_with("SALESGRAPH_") || k == "DATABASE_URL" || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd
}

#[test]
fn production_refuses_to_start_without_a_strong_key() {
    let out = salesgraph()
        .args(["serve"])
        .env("SALESGRAPH_ENV", "production")
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SALESGRAPH_JWT_KEYS"), "{err}");

    let out = salesgraph()
        .args(["serve"])
        .env("SALESGRAPH_ENV", "production")
        .env("SALESGRAPH_JWT_KEYS", "k1:c2hvcnQ=")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too weak"));
}

#[test]
fn bad_settings_are_named_and_never_echo_secrets() {
    let out = salesgraph()
        .args(["serve"])
        .env("SALESGRAPH_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SALESGRAPH_ADDR"));

    let secret = "c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkw";
    let out = salesgraph()
        .args(["serve"])
        .env("SALESGRAPH_JWT_KEYS", format!("k1:{secret}"))
        .env("SALESGRAPH_MAX_DEPTH", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SALESGRAPH_MAX_DEPTH") && !err.contains(secret),
        "{err}"
    );
}

#[test]
fn export_schema_prints_the_checked_in_schema() {
    let out = salesgraph().arg("export-schema").output().unwrap();
    assert!(out.status.success());
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), checked_in);
}

#[test]
fn help_lists_every_subcommand() {
    let out = salesgraph().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "seed", "create-user", "export-schema"] {
        assert!(help.contains(cmd), "{cmd} missing from --help");
    }
}
