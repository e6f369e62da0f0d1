//! A whole run of the server's log, captured from the binary at debug level, holds no
//! token, password, hash or email (the start banner's public demo logins aside), and no
//! line that a client's input forged.

use std::{
    io::Read,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

#[tokio::test]
async fn the_log_of_a_whole_run_holds_no_secrets_and_no_forged_lines() {
    let dir = std::env::temp_dir().join(format!("salesgraph-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salesgraph"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SALESGRAPH_") || k == "DATABASE_URL" || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .current_dir(&dir)
        .env("SALESGRAPH_ADDR", format!("127.0.0.1:{port}"))
        .env("SALESGRAPH_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = client.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(Instant::now() < deadline, "the server never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let gql = |query: &'static str, variables: Value, token: Option<String>| {
        let client = client.clone();
        let url = format!("{base}/graphql");
        async move {
            let mut req = client
                .post(url)
                .json(&json!({ "query": query, "variables": variables }));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send().await.unwrap().json::<Value>().await.unwrap()
        }
    };
    const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }";
    let wrong = "Wrong-Password-4711!";
    let new_password = "Fresh-Password-0815!";
    let session = gql(
        LOGIN,
        json!({ "e": "director@demo.example", "p": "demo-password" }),
        None,
    )
    .await;
    let access = session["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let refresh = session["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_string();
    gql(LOGIN, json!({ "e": "ae@demo.example", "p": wrong }), None).await;
    gql(
        LOGIN,
        json!({ "e": "nobody@secret.example", "p": wrong }),
        None,
    )
    .await;
    let rotated = gql(
        "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }",
        json!({ "t": refresh }),
        None,
    )
    .await;
    let access2 = rotated["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    gql(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": "new.hire@secret.example", "name": "New Hire", "role": "SDR", "password": new_password } }),
        Some(access2.clone()),
    )
    .await;
    // Client errors with hostile text: a forged line, a duplicate email, a bad token.
    gql(
        "mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }",
        json!({ "i": { "name": "x\nERROR forged line\r", "domain": "bad domain\n" } }),
        Some(access2.clone()),
    )
    .await;
    gql(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": "new.hire@secret.example", "name": "Again", "role": "SDR", "password": new_password } }),
        Some(access2.clone()),
    )
    .await;
    gql("{ me { email } }", json!({}), Some(format!("{access}x"))).await;
    // A GET carries its variables in the query string; its bad token makes the server
    // log inside the request's span.
    client
        .get(format!("{base}/graphql"))
        .query(&[
            (
                "query",
                "query($e: String) { users(filter: { search: $e }) { totalCount } }",
            ),
            ("variables", r#"{"e":"get.search@secret.example"}"#),
        ])
        .bearer_auth(format!("{access2}x"))
        .send()
        .await
        .unwrap();

    // Report downloads refused: no link at all, a forged signature.
    for q in ["", "?root=x&period=FY2026&expires=1&sig=forged"] {
        let status = client
            .get(format!("{base}/reports/territories.csv{q}"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_client_error(), "{status}");
    }
    // A deal registration refused for a date in the past.
    let partner = gql(
        LOGIN,
        json!({ "e": "partner@demo.example", "p": "demo-password" }),
        None,
    )
    .await;
    let partner = partner["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_string);
    let refused = gql(
        "mutation($i: RegisterDealInput!) { registerDeal(input: $i) { id } }",
        json!({ "i": { "companyName": "Past Co", "domain": "past.example", "contactName": "P",
                       "estimatedAmount": "1", "expectedCloseDate": "2000-01-01" } }),
        partner,
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );

    // Reuse: a warning is logged, without the token.
    gql(
        "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
        json!({ "t": refresh }),
        None,
    )
    .await;
    // Malformed HTTP: a bad header, a URI too long, a head too large. Last, on
    // connections of their own, so that no pooled connection of the client above is
    // waited out meanwhile.
    for raw in [
        "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_string(),
        format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000)),
        format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "b".repeat(40_000)
        ),
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let _ = tcp.write_all(raw.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    }
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let mut log = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    // Colours, if any, would hide the level from the checks below.
    let log = strip_ansi(&log);
    assert!(log.contains("failed login"), "the run was logged: {log}");
    if std::env::var("SHOW_LOG").is_ok() {
        println!("{log}");
    }
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("demo logins (password"))
        .collect();
    let mut leaks = Vec::new();
    for line in &lines {
        for secret in [
            access.as_str(),
            access2.as_str(),
            refresh.as_str(),
            "eyJ",
            "demo-password",
            wrong,
            new_password,
            "$argon2",
            "@demo.example",
            "@secret.example",
            "forged line",
        ] {
            if line.contains(secret) && !(secret == "forged line" && line.contains("\\x0aERROR")) {
                leaks.push(format!("{secret}: {line}"));
            }
        }
        if line.trim_start().starts_with("ERROR forged") {
            leaks.push(format!("forged: {line}"));
        }
        // Client errors stay below ERROR.
        if line.contains(" ERROR ") || line.starts_with("ERROR") {
            leaks.push(format!("error level: {line}"));
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
