//! The binary itself: configuration is validated at start, the schema export is the
//! checked-in file.

use std::process::Command;

pub(crate) fn salesgraph() -> Command {
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
    // Migrations and the demo seed run first.
    let ready = answers_200(
        &mut child,
        port,
        "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
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

/// Sends `request` to the server on `port` until it answers 200 (true), the process
/// exits or a minute passes (false).
fn answers_200(child: &mut std::process::Child, port: u16, request: &str) -> bool {
    use std::io::{Read, Write};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(request.as_bytes()).unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                return true;
            }
        }
        if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A stand-in OTLP/HTTP collector: records each request's head and body, answers 200.
fn fake_collector() -> (u16, std::sync::mpsc::Receiver<(String, Vec<u8>)>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            let _ = reader
                .get_mut()
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = tx.send((head, body));
        }
    });
    (port, rx)
}

#[test]
fn traces_are_exported_over_otlp_when_configured() {
    let (collector, received) = fake_collector();
    let dir = std::env::temp_dir().join(format!("salesgraph-otlp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = salesgraph()
        .current_dir(&dir)
        .env("SALESGRAPH_ADDR", format!("127.0.0.1:{port}"))
        .env("SALESGRAPH_SEED_DEMO", "false")
        .env("SALESGRAPH_LOG", "warn")
        .env(
            "SALESGRAPH_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{collector}"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let body = r#"{"query":"query Traced { __typename }"}"#;
    // The caller's W3C trace context: the request's span continues that trace.
    let (trace_id, parent_id) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\ntraceparent: 00-{trace_id}-{parent_id}-01\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answered = answers_200(&mut child, port, &request);
    assert!(answered, "the server never answered");
    // Shutdown flushes the batch.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&dir);
    let (head, body) = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("no OTLP export arrived");
    assert!(head.starts_with("POST /v1/traces "), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/x-protobuf"),
        "{head}"
    );
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("salesgraph") && text.contains("POST /graphql"),
        "the spans name the service and the request"
    );
    for attribute in [
        "http.request.method",
        "url.path",
        "http.response.status_code",
        "graphql.operation.name",
        "Traced",
    ] {
        assert!(text.contains(attribute), "no {attribute} in the export");
    }
    // OTLP carries ids as raw bytes: the caller's trace id, and its span as the parent.
    let bytes = |hex: &str| -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    };
    let holds = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(
        holds(&bytes(trace_id)),
        "the request did not continue the caller's trace"
    );
    assert!(holds(&bytes(parent_id)), "the request's span has no parent");
}

/// A database that cannot be reached is named with what was tried and the fix.
#[test]
fn an_unreachable_database_is_named_with_the_fix() {
    let run = |url: &str| {
        let out = salesgraph()
            .args(["migrate", "status"])
            .env("DATABASE_URL", url)
            .env("SALESGRAPH_DB_ACQUIRE_TIMEOUT_SECS", "1")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = run("sqlite:///nonexistent-folder-of-salesgraph/x.db?mode=rwc");
    assert!(
        err.contains("/nonexistent-folder-of-salesgraph/x.db") && err.contains("?mode=rwc"),
        "{err}"
    );
    assert!(!err.contains(" at line "), "{err}");
    if let Ok(base) = std::env::var("TEST_DATABASE_URL") {
        let missing = crate::helpers::replace_db_name(&base, "salesgraph_no_such_database");
        let err = run(&missing);
        assert!(
            err.contains("no database `salesgraph_no_such_database`") && err.contains("createdb"),
            "{err}"
        );
    }
}
