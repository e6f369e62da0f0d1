//! Every forged, stale or misdirected access token is refused with `UNAUTHENTICATED`.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::helpers::{AUDIENCE, ISSUER, KEY_CURRENT, KEY_PREVIOUS, TestApp, code};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn claims(app: &TestApp, who: &str) -> Value {
    let u = app.user(who);
    let role = serde_json::to_value(u.role).unwrap();
    json!({
        "sub": u.id, "role": role, "iss": ISSUER, "aud": AUDIENCE,
        "iat": now(), "iat_ms": now() * 1000, "nbf": now(), "exp": now() + 600, "jti": uuid::Uuid::new_v4(),
    })
}

fn sign(
    claims: &Value,
    kid: Option<&str>,
    typ: Option<&str>,
    alg: Algorithm,
    key: &[u8],
) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    header.typ = typ.map(str::to_string);
    encode(&header, claims, &EncodingKey::from_secret(key)).unwrap()
}

pub fn hs256(claims: &Value) -> String {
    sign(
        claims,
        Some("k2"),
        Some("at+jwt"),
        Algorithm::HS256,
        KEY_CURRENT,
    )
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.gql("{ me { email } }", json!({}), Some(token)).await
}

#[tokio::test]
async fn well_formed_tokens_work_including_the_previous_key() {
    let app = TestApp::spawn().await;
    let c = claims(&app, "ae");
    assert_eq!(
        me(&app, &hs256(&c)).await["data"]["me"]["email"],
        "ae@test.example"
    );
    let old = sign(
        &c,
        Some("k1"),
        Some("at+jwt"),
        Algorithm::HS256,
        KEY_PREVIOUS,
    );
    assert_eq!(
        me(&app, &old).await["data"]["me"]["email"],
        "ae@test.example"
    );
}

#[tokio::test]
async fn forged_and_stale_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let good = claims(&app, "ae");
    let mut cases: Vec<(&str, String)> = Vec::new();

    // alg: none, with the signature stripped.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt","kid":"k2"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    cases.push(("alg none", format!("{header}.{payload}.")));
    // Another algorithm with the right key; the right algorithm with a wrong key.
    cases.push((
        "HS512",
        sign(
            &good,
            Some("k2"),
            Some("at+jwt"),
            Algorithm::HS512,
            KEY_CURRENT,
        ),
    ));
    cases.push((
        "wrong key",
        sign(
            &good,
            Some("k2"),
            Some("at+jwt"),
            Algorithm::HS256,
            b"another-key-another-key-another-key!!",
        ),
    ));
    // The previous key presented under the current kid.
    cases.push((
        "kid mismatch",
        sign(
            &good,
            Some("k2"),
            Some("at+jwt"),
            Algorithm::HS256,
            KEY_PREVIOUS,
        ),
    ));
    cases.push((
        "unknown kid",
        sign(
            &good,
            Some("k9"),
            Some("at+jwt"),
            Algorithm::HS256,
            KEY_CURRENT,
        ),
    ));
    cases.push((
        "no kid",
        sign(&good, None, Some("at+jwt"), Algorithm::HS256, KEY_CURRENT),
    ));
    cases.push((
        "wrong typ",
        sign(
            &good,
            Some("k2"),
            Some("JWT"),
            Algorithm::HS256,
            KEY_CURRENT,
        ),
    ));
    // Tampered payload: the director's role under the AE's signature.
    let token = hs256(&good);
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = good.clone();
    forged["role"] = json!("DIRECTOR");
    cases.push((
        "tampered",
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(forged.to_string()),
            parts[2]
        ),
    ));
    for (name, field, value) in [
        ("expired", "exp", json!(now() - 120)),
        ("not yet valid", "nbf", json!(now() + 600)),
        ("issued in the future", "iat", json!(now() + 600)),
        ("wrong issuer", "iss", json!("someone-else")),
        ("wrong audience", "aud", json!("another-api")),
        ("unknown user", "sub", json!(uuid::Uuid::new_v4())),
        ("stale role", "role", json!("DIRECTOR")),
    ] {
        let mut c = good.clone();
        c[field] = value;
        cases.push((name, hs256(&c)));
    }
    for missing in ["exp", "nbf", "iat", "iat_ms", "iss", "aud", "sub"] {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(missing);
        cases.push((missing, hs256(&c)));
    }
    cases.push(("garbage", "not.a.jwt".into()));
    cases.push(("empty segments", "..".into()));

    for (name, token) in cases {
        let body = me(&app, &token).await;
        assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{name}: {body}");
        assert!(body["data"].is_null(), "{name}: {body}");
    }
}

#[tokio::test]
async fn garbage_authorization_headers_are_refused() {
    let app = TestApp::spawn().await;
    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "token abc",
        "Bearer a.b",
    ] {
        let resp = app
            .client
            .post(format!("{}/graphql", app.addr))
            .header("Authorization", header)
            .json(&json!({ "query": "{ me { id } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{header}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), Some("UNAUTHENTICATED"), "{header}: {body}");
    }
}

#[tokio::test]
async fn a_role_change_invalidates_live_tokens() {
    use entity::{enums::Role, users};
    use sea_orm::{ActiveModelTrait, Set};
    let app = TestApp::spawn().await;
    let token = app.token("sdr");
    assert!(me(&app, &token).await["data"]["me"].is_object());
    let mut m: users::ActiveModel = app.user("sdr").clone().into();
    m.role = Set(Role::AccountExecutive);
    m.update(&app.db).await.unwrap();
    assert_eq!(code(&me(&app, &token).await), Some("UNAUTHENTICATED"));
}
