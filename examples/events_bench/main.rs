//! The WebSocket client of `bench/events.sh` (run by hand, never in CI): live-event
//! latency across two replicas, and fan-out to many subscribers spread over both.
//!
//! Reads its plan from the environment: `A` and `B` (the replicas' base URLs),
//! `PID_A`/`PID_B` (for their resident memory), `PLAN` (a file the script writes from
//! the database: `user <id> <email> <role> <manager id or ->` and
//! `pair <sdr email> <ae id> <territory id>` lines), `PASSWORD`, `SUBSCRIBERS`,
//! `LATENCY_EVENTS` and `FANOUT_EVENTS`.

mod client;
mod fanout;

use std::{collections::HashMap, time::Instant};

use futures_util::{StreamExt, stream};
use serde_json::json;

use client::{Bench, Pair, Res, load_plan, ms, num, percentile, subscriber, var, wait_for};

#[tokio::main]
async fn main() -> Res<()> {
    let (users, pairs) = load_plan(&var("PLAN")?)?;
    let (pid_a, pid_b) = (var("PID_A")?, var("PID_B")?);
    let password = var("PASSWORD")?;
    let mut bench = Bench {
        http: reqwest::Client::new(),
        a: var("A")?,
        b: var("B")?,
        tokens: HashMap::new(),
        users,
    };
    let started = Instant::now();
    let logins: Vec<Res<(String, String)>> = stream::iter(bench.users.iter().map(|u| {
        let (bench, password) = (&bench, &password);
        async move {
            let d = bench
                .gql(&bench.a, "", "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                    json!({ "e": u.email, "p": password }))
                .await?;
            let t = d["login"]["accessToken"].as_str().ok_or("no token")?;
            Ok((u.email.clone(), t.to_string()))
        }
    }))
    .buffer_unordered(4)
    .collect()
    .await;
    for l in logins {
        let (email, token) = l?;
        bench.tokens.insert(email, token);
    }
    println!(
        "logged in {} users in {:.1} s",
        bench.tokens.len(),
        started.elapsed().as_secs_f64()
    );
    latency(&bench, &pairs[0], num("LATENCY_EVENTS", 200)?).await?;
    fanout::fan_out(
        &bench,
        &pairs,
        num("SUBSCRIBERS", 1000)?,
        num("FANOUT_EVENTS", 40)?,
        (&pid_a, &pid_b),
    )
    .await
}

/// (a) Each event caused on A (clock read before the request), received by a
/// subscriber on B; requests and cancellations in turn, one at a time.
async fn latency(bench: &Bench, p: &Pair, events: usize) -> Res<()> {
    let mut leads = Vec::new();
    for n in 0..events.div_ceil(2) {
        leads.push(bench.qualified_lead(&p.sdr, p.territory, n).await?);
    }
    let mut ws = subscriber(&bench.b, &bench.tokens[&p.sdr]).await?;
    bench.await_subscriptions(1.0).await?;
    let (mut lat, mut round_trip) = (Vec::new(), Vec::new());
    for lead in &leads {
        let t0 = Instant::now();
        let h = bench.hand_off(&bench.a, p, lead).await?;
        round_trip.push(ms(t0.elapsed()));
        wait_for(&mut ws, &format!("{h} PENDING")).await?;
        lat.push(ms(t0.elapsed()));
        if lat.len() == events {
            break;
        }
        let t0 = Instant::now();
        bench.cancel(&bench.a, p, &h).await?;
        round_trip.push(ms(t0.elapsed()));
        wait_for(&mut ws, &format!("{h} CANCELLED")).await?;
        lat.push(ms(t0.elapsed()));
    }
    ws.close(None).await?;
    lat.sort_by(f64::total_cmp);
    round_trip.sort_by(f64::total_cmp);
    println!(
        "\n== (a) latency: {} events caused on A, received on B",
        lat.len()
    );
    println!(
        "caused → received: median {:.2} ms, p99 {:.2} ms, max {:.2} ms (the mutation's own round trip: median {:.2} ms, p99 {:.2} ms)",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0.0),
        percentile(&round_trip, 0.5),
        percentile(&round_trip, 0.99)
    );
    bench.await_subscriptions(0.0).await
}
