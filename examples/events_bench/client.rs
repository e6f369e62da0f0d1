//! The benchmark's HTTP and WebSocket client: the plan, logins, mutations, subscribers,
//! the server's policy for who is entitled to an event, and small measurements.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use api::domain::GlobalId;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};
use uuid::Uuid;

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;
pub(crate) type Fail = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Res<T> = Result<T, Fail>;

pub(crate) const SUBSCRIPTION: &str = "subscription { handoffEvents { toStatus handoff { id } } }";

pub(crate) struct User {
    pub(crate) id: Uuid,
    pub(crate) email: String,
    pub(crate) role: String,
    pub(crate) manager: Option<Uuid>,
}

pub(crate) struct Pair {
    pub(crate) sdr: String,
    pub(crate) ae: Uuid,
    pub(crate) territory: Uuid,
}

pub(crate) struct Bench {
    pub(crate) http: reqwest::Client,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) tokens: HashMap<String, String>,
    pub(crate) users: Vec<User>,
}

pub(crate) fn var(k: &str) -> Res<String> {
    std::env::var(k).map_err(|_| format!("{k} is not set").into())
}

pub(crate) fn num(k: &str, default: usize) -> Res<usize> {
    Ok(std::env::var(k).map_or(Ok(default), |v| v.parse())?)
}

pub(crate) fn rss_mb(pid: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    format!("{:.1} MB", kb / 1024.0)
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `"<handoff id> <toStatus>"` of a `next` message.
pub(crate) fn key(m: &Value) -> Option<String> {
    let e = &m["payload"]["data"]["handoffEvents"];
    Some(format!(
        "{} {}",
        e["handoff"]["id"].as_str()?,
        e["toStatus"].as_str()?
    ))
}

impl Bench {
    pub(crate) async fn gql(
        &self,
        base: &str,
        token: &str,
        query: &str,
        vars: Value,
    ) -> Res<Value> {
        let mut req = self.http.post(format!("{base}/graphql"));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let body: Value = req
            .json(&json!({ "query": query, "variables": vars }))
            .send()
            .await?
            .json()
            .await?;
        if !body["errors"].is_null() {
            return Err(format!("{query}: {body}").into());
        }
        Ok(body["data"].clone())
    }

    /// A qualified lead of `sdr` in `territory`; its global id.
    pub(crate) async fn qualified_lead(&self, sdr: &str, territory: Uuid, n: usize) -> Res<String> {
        let t = &self.tokens[sdr];
        let d = self
            .gql(&self.a, t, "mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }",
                json!({ "i": { "companyName": format!("Live {n}"), "domain": format!("live-{n}-{}.example", Uuid::new_v4().simple()),
                    "contactName": "Pat Buyer", "territoryId": GlobalId::encode("Territory", territory) } }))
            .await?;
        let id = d["createLead"]["id"]
            .as_str()
            .ok_or("no lead id")?
            .to_string();
        self.gql(&self.a, t, "mutation($id: ID!, $i: QualifyLeadInput!) { qualifyLead(id: $id, input: $i) { status } }",
            json!({ "id": id, "i": { "budget": "80k", "authority": "VP", "need": "visibility", "timeline": "Q1" } }))
            .await?;
        Ok(id)
    }

    /// Requests the handoff of `lead` through `base`; its global id.
    pub(crate) async fn hand_off(&self, base: &str, p: &Pair, lead: &str) -> Res<String> {
        let d = self
            .gql(base, &self.tokens[&p.sdr], "mutation($i: RequestHandoffInput!) { requestHandoff(input: $i) { id } }",
                json!({ "i": { "kind": "SDR_TO_AE", "leadId": lead, "toUserId": GlobalId::encode("User", p.ae), "note": "bench" } }))
            .await?;
        Ok(d["requestHandoff"]["id"]
            .as_str()
            .ok_or("no handoff id")?
            .to_string())
    }

    pub(crate) async fn cancel(&self, base: &str, p: &Pair, handoff: &str) -> Res<()> {
        self.gql(
            base,
            &self.tokens[&p.sdr],
            "mutation($id: ID!) { cancelHandoff(id: $id, version: 1) { id } }",
            json!({ "id": handoff }),
        )
        .await?;
        Ok(())
    }

    /// Users entitled to an event of a handoff between `from` and `to`, as the server's
    /// policy has it: the two, the sales managers above either, every director.
    pub(crate) fn entitled(&self, from: Uuid, to: Uuid) -> HashSet<Uuid> {
        let by_id: HashMap<Uuid, &User> = self.users.iter().map(|u| (u.id, u)).collect();
        let mut above = HashSet::new();
        for start in [from, to] {
            let mut at = by_id.get(&start).and_then(|u| u.manager);
            while let Some(m) = at.filter(|m| above.insert(*m)) {
                at = by_id.get(&m).and_then(|u| u.manager);
            }
        }
        self.users
            .iter()
            .filter(|u| {
                u.id == from
                    || u.id == to
                    || u.role == "DIRECTOR"
                    || (u.role == "SALES_MANAGER" && above.contains(&u.id))
            })
            .map(|u| u.id)
            .collect()
    }

    pub(crate) async fn sample(&self, base: &str, name: &str) -> Res<f64> {
        let text = self
            .http
            .get(format!("{base}/metrics"))
            .send()
            .await?
            .text()
            .await?;
        Ok(text
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0))
    }

    /// `name` summed over both replicas.
    pub(crate) async fn both(&self, name: &str) -> Res<f64> {
        Ok(self.sample(&self.a, name).await? + self.sample(&self.b, name).await?)
    }

    pub(crate) async fn await_subscriptions(&self, want: f64) -> Res<()> {
        for _ in 0..3000 {
            let n = self
                .sample(&self.a, "salesgraph_live_subscriptions")
                .await?
                + self
                    .sample(&self.b, "salesgraph_live_subscriptions")
                    .await?;
            if n == want {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Err(format!("the replicas never held {want} subscriptions").into())
    }
}

/// Connected, acknowledged and subscribed as `token`.
pub(crate) async fn subscriber(base: &str, token: &str) -> Res<Ws> {
    let mut req = format!("{}/graphql", base.replace("http://", "ws://")).into_client_request()?;
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
    let (mut ws, _) = connect_async(req).await?;
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    ws.send(Message::Text(init.to_string().into())).await?;
    match ws.next().await {
        Some(Ok(Message::Text(t))) if t.contains("connection_ack") => {}
        other => return Err(format!("no connection_ack: {other:?}").into()),
    }
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION } });
    ws.send(Message::Text(sub.to_string().into())).await?;
    Ok(ws)
}

/// The next event on `ws`.
pub(crate) async fn next_event(ws: &mut Ws) -> Res<String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), ws.next()).await? {
            Some(Ok(Message::Text(t))) => {
                if let Some(k) = key(&serde_json::from_str(&t)?) {
                    return Ok(k);
                }
            }
            Some(Ok(Message::Close(f))) => return Err(format!("closed: {f:?}").into()),
            Some(Ok(_)) => {}
            other => return Err(format!("socket ended: {other:?}").into()),
        }
    }
}

pub(crate) fn load_plan(path: &str) -> Res<(Vec<User>, Vec<Pair>)> {
    let (mut users, mut pairs) = (Vec::new(), Vec::new());
    for line in std::fs::read_to_string(path)?.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["user", id, email, role, manager] => users.push(User {
                id: id.parse()?,
                email: email.to_string(),
                role: role.to_string(),
                manager: manager.parse().ok(),
            }),
            ["pair", sdr, ae, territory] => pairs.push(Pair {
                sdr: sdr.to_string(),
                ae: ae.parse()?,
                territory: territory.parse()?,
            }),
            _ => return Err(format!("bad plan line: {line}").into()),
        }
    }
    Ok((users, pairs))
}

pub(crate) async fn wait_for(ws: &mut Ws, want: &str) -> Res<()> {
    let got = next_event(ws).await?;
    if got != want {
        return Err(format!("got {got}, want {want}").into());
    }
    Ok(())
}
