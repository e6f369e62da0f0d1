//! (b) Fan-out: many subscribers over both replicas, events caused on each in turn.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt, stream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::client::{Bench, Pair, Res, Ws, key, ms, percentile, rss_mb, subscriber};

/// (b) `n` subscribers, user i % users and replica i % 2, receive `events` events
/// caused on A and B in turn: who gets what, how long until the last entitled one has
/// it, and each server's memory around it.
pub(crate) async fn fan_out(
    bench: &Bench,
    pairs: &[Pair],
    n: usize,
    events: usize,
    pids: (&str, &str),
) -> Res<()> {
    let users = &bench.users;
    let mut leads = Vec::new();
    for (i, p) in pairs.iter().cycle().take(events.div_ceil(2)).enumerate() {
        leads.push((
            p,
            bench
                .qualified_lead(&p.sdr, p.territory, 100_000 + i)
                .await?,
        ));
    }
    let directors = users.iter().filter(|u| u.role == "DIRECTOR").count();
    let managers = users.iter().filter(|u| u.role == "SALES_MANAGER").count();
    println!(
        "\n== (b) fan-out: {n} subscribers over 2 replicas, {} users ({directors} directors, {managers} sales managers, {} reps), {events} events",
        users.len(),
        users.len() - directors - managers
    );
    println!(
        "RSS before connecting: A {}, B {}",
        rss_mb(pids.0),
        rss_mb(pids.1)
    );
    let (tx, mut rx) = mpsc::unbounded_channel::<(usize, String, Instant)>();
    let mut closers = Vec::new();
    let t0 = Instant::now();
    let opened: Vec<Res<(usize, Ws)>> = stream::iter((0..n).map(|i| async move {
        let base = if i % 2 == 0 { &bench.a } else { &bench.b };
        Ok((
            i,
            subscriber(base, &bench.tokens[&users[i % users.len()].email]).await?,
        ))
    }))
    .buffer_unordered(32)
    .collect()
    .await;
    for o in opened {
        let (i, ws) = o?;
        let (mut sink, mut read) = ws.split();
        let (close_tx, mut close_rx) = tokio::sync::oneshot::channel::<()>();
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    m = read.next() => match m {
                        Some(Ok(Message::Text(t))) => {
                            if let Some(k) = serde_json::from_str(&t).ok().as_ref().and_then(key) {
                                let _ = tx.send((i, k, Instant::now()));
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => return,
                    },
                    _ = &mut close_rx => {
                        let _ = sink.close().await;
                        return;
                    }
                }
            }
        });
        closers.push(close_tx);
    }
    bench.await_subscriptions(n as f64).await?;
    println!("{n} subscribed in {:.2} s", t0.elapsed().as_secs_f64());
    println!(
        "RSS connected (idle): A {}, B {}",
        rss_mb(pids.0),
        rss_mb(pids.1)
    );
    let delivered_before = bench.both("salesgraph_live_events_delivered_total").await?;
    let statements_before = bench.both("salesgraph_db_statements_total").await?;

    let mut expected: HashMap<usize, HashSet<String>> = HashMap::new();
    let mut received: HashMap<usize, HashSet<String>> = HashMap::new();
    let (mut first, mut last, mut entitled_counts) = (Vec::new(), Vec::new(), Vec::new());
    let mut pending = String::new();
    for k in 0..events {
        let (p, lead) = &leads[k / 2];
        let sdr = users
            .iter()
            .find(|u| u.email == p.sdr)
            .ok_or("sdr not in plan")?
            .id;
        let audience = bench.entitled(sdr, p.ae);
        let base = if k % 2 == 0 { &bench.a } else { &bench.b };
        let t0 = Instant::now();
        // Each lead's handoff is requested, then cancelled: two events.
        let ev = if k % 2 == 0 {
            pending = bench.hand_off(base, p, lead).await?;
            format!("{pending} PENDING")
        } else {
            bench.cancel(base, p, &pending).await?;
            format!("{pending} CANCELLED")
        };
        let want: HashSet<usize> = (0..n)
            .filter(|i| audience.contains(&users[i % users.len()].id))
            .collect();
        for i in &want {
            expected.entry(*i).or_default().insert(ev.clone());
        }
        let mut have = 0;
        let (mut at, mut earliest) = (t0, None);
        while have < want.len() {
            let (i, key, when) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await?
                .ok_or("readers ended")?;
            if key == ev && want.contains(&i) {
                have += 1;
                at = at.max(when);
                earliest = Some(earliest.map_or(when, |e: Instant| e.min(when)));
            }
            received.entry(i).or_default().insert(key);
        }
        last.push(ms(at - t0));
        first.push(ms(earliest.unwrap_or(at) - t0));
        entitled_counts.push(want.len());
    }
    // Stragglers (anything sent to a subscriber not entitled) have a second to arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    while let Ok((i, key, _)) = rx.try_recv() {
        received.entry(i).or_default().insert(key);
    }
    println!(
        "RSS connected (after the events): A {}, B {}",
        rss_mb(pids.0),
        rss_mb(pids.1)
    );
    let delivered = bench.both("salesgraph_live_events_delivered_total").await? - delivered_before;
    // Both servers' SQL during the events: the mutations, each replica's two statements
    // per event, and what each subscriber's selection loads.
    let statements = bench.both("salesgraph_db_statements_total").await? - statements_before;
    let (mut missing, mut extra) = (0, 0);
    for i in 0..n {
        let (e, r) = (
            expected.remove(&i).unwrap_or_default(),
            received.remove(&i).unwrap_or_default(),
        );
        missing += e.difference(&r).count();
        extra += r.difference(&e).count();
    }
    let total: usize = entitled_counts.iter().sum();
    last.sort_by(f64::total_cmp);
    first.sort_by(f64::total_cmp);
    println!(
        "entitled subscribers per event: {}..{} (of {n}); deliveries expected {total}, counted by the servers {delivered}; missing {missing}, extra {extra}",
        entitled_counts.iter().min().unwrap_or(&0),
        entitled_counts.iter().max().unwrap_or(&0)
    );
    println!(
        "SQL statements on both servers during the events: {statements} ({:.1} per event, {:.2} per delivery)",
        statements / events as f64,
        statements / delivered.max(1.0)
    );
    println!(
        "caused → the last entitled subscriber has it: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&last, 0.5),
        percentile(&last, 0.99),
        last.last().copied().unwrap_or(0.0)
    );
    println!(
        "caused → the first entitled subscriber has it: median {:.2} ms, p99 {:.2} ms",
        percentile(&first, 0.5),
        percentile(&first, 0.99)
    );
    for c in closers {
        let _ = c.send(());
    }
    bench.await_subscriptions(0.0).await?;
    println!(
        "RSS after disconnecting: A {}, B {}",
        rss_mb(pids.0),
        rss_mb(pids.1)
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    println!("RSS 5 s later: A {}, B {}", rss_mb(pids.0), rss_mb(pids.1));
    if missing + extra > 0 {
        return Err("some events did not reach exactly their entitled subscribers".into());
    }
    Ok(())
}
