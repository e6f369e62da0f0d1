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
fn export_schema_role_partner_prints_the_checked_in_partner_schema() {
    let out = salesgraph()
        .args(["export-schema", "--role", "partner"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let checked_in = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema.partner.graphql"
    ))
    .unwrap();
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

#[test]
fn serves_the_demo_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("salesgraph-sigterm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = salesgraph()
        .current_dir(&dir)
        .env("SALESGRAPH_ADDR", format!("127.0.0.1:{port}"))
        .env("SALESGRAPH_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait (bounded) until it answers: migrations and the demo seed run first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let ready = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                break true;
            }
        }
        if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(ready, "the server never became ready");
    assert!(
        dir.join("salesgraph.db").exists(),
        "the default SQLite file was not created"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success(), "exit after SIGTERM: {status:?}");
}
