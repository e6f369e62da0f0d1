//! The whole journey with live events: SDR qualifies and hands off, the AE accepts (lead
//! converted, opportunity created), closes won and hands to AM and to CS, CS hands an
//! expansion to AM — and every subscriber receives exactly its entitled events, live
//! (each before the next step is taken) and in order.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Ws, init, recv, subscribe_with, subscribed};
use crate::{
    handoffs::{accept_q, data, qualified_lead, request},
    helpers::TestApp,
};

const FIELDS: &str = "fromStatus toStatus actor { email } handoff { id kind }";

struct Subscriber {
    name: &'static str,
    ws: Ws,
    want: Vec<String>,
    got: Vec<String>,
}

struct Journey<'a> {
    app: &'a TestApp,
    subs: Vec<Subscriber>,
    /// Handoff global id → the name the test gives it.
    names: HashMap<String, &'static str>,
}

impl Journey<'_> {
    /// `"h1 SDR_TO_AE PENDING by sdr"` for a `next` message.
    fn tag(&self, m: &Value) -> String {
        let e = &m["payload"]["data"]["handoffEvents"];
        let id = e["handoff"]["id"].as_str().unwrap_or("?");
        let actor = e["actor"]["email"].as_str().unwrap_or("?");
        format!(
            "{} {} {} by {}",
            self.names.get(id).copied().unwrap_or("unknown handoff"),
            e["handoff"]["kind"].as_str().unwrap_or("?"),
            e["toStatus"].as_str().unwrap_or("?"),
            actor.split('@').next().unwrap_or("?"),
        )
    }

    /// The event `tag` was just committed: each subscriber in `to` must receive it
    /// before the journey goes on.
    async fn expect(&mut self, tag: &str, to: &[&str]) {
        for i in 0..self.subs.len() {
            if !to.contains(&self.subs[i].name) {
                continue;
            }
            self.subs[i].want.push(tag.to_string());
            while self.subs[i].got.len() < self.subs[i].want.len() {
                let got = match recv(&mut self.subs[i].ws).await {
                    Ok(m) => self.tag(&m),
                    Err(code) => format!("closed {code}"),
                };
                let closed = got.starts_with("closed");
                self.subs[i].got.push(got);
                if closed {
                    break;
                }
            }
        }
    }

    fn name(&mut self, handoff: &Value, name: &'static str) -> String {
        let id = handoff["id"].as_str().unwrap().to_string();
        self.names.insert(id.clone(), name);
        id
    }
}

#[tokio::test]
async fn the_journey_is_pushed_live_to_exactly_its_audience() {
    let app = TestApp::spawn().await;
    // Who listens, as whom, with which filters. manager2 and ae2 (the second team) are
    // uninvolved: they must receive nothing.
    let listeners: [(&str, &str, &str); 10] = [
        ("sdr", "sdr", ""),
        ("ae", "ae", ""),
        ("ae incoming", "ae", "(direction: INCOMING)"),
        ("am", "am", ""),
        ("cs", "cs", ""),
        ("manager", "manager", ""),
        ("manager expansions", "manager", "(kind: [CS_TO_AM])"),
        ("director", "director", ""),
        ("manager2", "manager2", ""),
        ("ae2", "ae2", ""),
    ];
    let mut subs = Vec::new();
    for (name, user, args) in listeners {
        let mut ws = init(&app.addr, &app.token(user)).await;
        let doc = format!("subscription {{ handoffEvents{args} {{ {FIELDS} }} }}");
        subscribe_with(&mut ws, "j", &doc).await;
        subs.push(Subscriber {
            name,
            ws,
            want: Vec::new(),
            got: Vec::new(),
        });
    }
    subscribed(&app, listeners.len()).await;
    let mut j = Journey {
        app: &app,
        subs,
        names: HashMap::new(),
    };
    let team = ["manager", "director"];
    let with_team = |names: &[&'static str]| -> Vec<&'static str> {
        names.iter().copied().chain(team).collect()
    };

    // The SDR qualifies a lead and hands it to the AE.
    let lead = qualified_lead(j.app, "na_west", "journey-live.example").await;
    let body = request(j.app, "sdr", "SDR_TO_AE", ("leadId", &lead), "ae").await;
    let h1 = j.name(data(&body, "requestHandoff"), "h1");
    j.expect(
        "h1 SDR_TO_AE PENDING by sdr",
        &with_team(&["sdr", "ae", "ae incoming"]),
    )
    .await;

    // The AE accepts: the lead is converted, an opportunity created.
    let body = j
        .app
        .gql_as("ae", &accept_q(), json!({ "id": h1, "v": 1 }))
        .await;
    let accepted = data(&body, "acceptHandoff");
    assert_eq!(accepted["lead"]["status"], "CONVERTED", "{body}");
    assert_eq!(accepted["opportunity"]["stage"], "DISCOVERY", "{body}");
    let opportunity = accepted["opportunity"]["id"].as_str().unwrap().to_string();
    let account = accepted["account"]["id"].as_str().unwrap().to_string();
    j.expect(
        "h1 SDR_TO_AE ACCEPTED by ae",
        &with_team(&["sdr", "ae", "ae incoming"]),
    )
    .await;

    // Closed won (no handoff event), then to AM and to CS at once.
    let body = j
        .app
        .gql_as(
            "ae",
            "mutation($id: ID!) { closeOpportunity(id: $id, version: 1, input: { outcome: WON }) { stage } }",
            json!({ "id": opportunity }),
        )
        .await;
    assert_eq!(data(&body, "closeOpportunity")["stage"], "CLOSED_WON");
    let body = request(j.app, "ae", "AE_TO_AM", ("accountId", &account), "am").await;
    let h2 = j.name(data(&body, "requestHandoff"), "h2");
    j.expect("h2 AE_TO_AM PENDING by ae", &with_team(&["ae", "am"]))
        .await;
    let body = request(j.app, "ae", "AE_TO_CS", ("accountId", &account), "cs").await;
    let h3 = j.name(data(&body, "requestHandoff"), "h3");
    j.expect("h3 AE_TO_CS PENDING by ae", &with_team(&["ae", "cs"]))
        .await;
    for (who, h, tag, also) in [
        ("am", &h2, "h2 AE_TO_AM ACCEPTED by am", "am"),
        ("cs", &h3, "h3 AE_TO_CS ACCEPTED by cs", "cs"),
    ] {
        let body = j
            .app
            .gql_as(who, &accept_q(), json!({ "id": h, "v": 1 }))
            .await;
        data(&body, "acceptHandoff");
        j.expect(tag, &with_team(&["ae", also])).await;
    }

    // CS hands an expansion to the AM, who accepts it.
    let body = request(j.app, "cs", "CS_TO_AM", ("accountId", &account), "am").await;
    let h4 = j.name(data(&body, "requestHandoff"), "h4");
    let expansion_audience = with_team(&["cs", "am", "manager expansions"]);
    j.expect("h4 CS_TO_AM PENDING by cs", &expansion_audience)
        .await;
    let body = j
        .app
        .gql_as("am", &accept_q(), json!({ "id": h4, "v": 1 }))
        .await;
    assert_eq!(
        data(&body, "acceptHandoff")["opportunity"]["type"],
        "EXPANSION"
    );
    j.expect("h4 CS_TO_AM ACCEPTED by am", &expansion_audience)
        .await;

    // Nothing else was queued for anyone: once the replica has handled all eight
    // events, the deliveries it counted are exactly the ones received above.
    let m = &app.state.metrics;
    for _ in 0..1000 {
        if m.live_events_received.get() >= 8 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(m.live_events_received.get(), 8);
    let wanted: usize = j.subs.iter().map(|s| s.want.len()).sum();
    let mut wrong: Vec<String> = j
        .subs
        .iter()
        .filter(|s| s.got != s.want)
        .map(|s| format!("{}: got {:?}, want {:?}", s.name, s.got, s.want))
        .collect();
    if m.live_events_delivered.get() != wanted as u64 {
        wrong.push(format!(
            "{} deliveries, {wanted} entitled",
            m.live_events_delivered.get()
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        j.subs
            .iter()
            .filter(|s| s.name == "manager2" || s.name == "ae2")
            .all(|s| s.got.is_empty())
    );
}
