//! GraphiQL as a person uses it: the page loads from the server alone (no network but
//! loopback) under its Content-Security-Policy, the docs pane lists `Query`, and a query
//! typed in — with an Authorization header typed into the Headers tab — returns data,
//! again after a reload, and a subscription typed in subscribes over the socket.

use serde_json::json;

use super::{cdp::Browser, chromium};
use crate::helpers::TestApp;

/// The CodeMirror editor inside `selector` (GraphiQL 4 uses CodeMirror 5).
fn editor(selector: &str) -> String {
    format!("document.querySelector('{selector} .CodeMirror').CodeMirror")
}

#[tokio::test]
async fn graphiql_works_offline_and_runs_a_typed_query() {
    let Some(binary) = chromium("graphiql_works_offline_and_runs_a_typed_query") else {
        return;
    };
    // The test limits (depth 8) are stricter than the defaults: introspection is exempt.
    let app = TestApp::spawn().await;
    // The page is served with the policy it must work under.
    let page = app
        .client
        .get(format!("{}/graphql", app.addr))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["content-security-policy"],
        api::graphiql::CONTENT_SECURITY_POLICY
    );
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");

    let mut browser = Browser::launch(&binary).await;
    browser.navigate(&format!("{}/graphql", app.addr)).await;
    browser
        .wait_for(
            "GraphiQL to render",
            "!!document.querySelector('.graphiql-execute-button')",
        )
        .await;

    // The docs pane, filled by an introspection query.
    browser
        .eval(
            "[...document.querySelectorAll('.graphiql-sidebar button')]
               .find(b => (b.getAttribute('aria-label') || '').includes('Documentation Explorer'))
               .click()",
        )
        .await;
    browser
        .wait_for(
            "the docs pane to list Query",
            "(document.querySelector('.graphiql-doc-explorer') || {}).innerText?.includes('Query')",
        )
        .await;

    // Type the header, then the query, and run it.
    let token = app.token("ae");
    browser
        .eval("document.querySelector('[data-name=\"headers\"]').click()")
        .await;
    let headers = editor(".graphiql-editor-tool .graphiql-editor:not(.hidden)");
    browser
        .wait_for("the headers editor", &format!("!!{headers}"))
        .await;
    browser
        .eval(&format!("{headers}.setValue(''); {headers}.focus()"))
        .await;
    browser
        .type_text(&json!({ "Authorization": format!("Bearer {token}") }).to_string())
        .await;
    let query = editor(".graphiql-query-editor");
    browser
        .eval(&format!("{query}.setValue(''); {query}.focus()"))
        .await;
    browser.type_text("{ me { email role } }").await;
    browser
        .eval("document.querySelector('.graphiql-execute-button').click()")
        .await;
    let response = editor(".graphiql-response");
    let result = browser
        .wait_for(
            "the response",
            &format!("{response}.getValue().includes('ae@test.example') && {response}.getValue()"),
        )
        .await;
    assert!(
        result.as_str().unwrap().contains("ACCOUNT_EXECUTIVE"),
        "{result}"
    );

    // The header (and the query) survive a reload: GraphiQL stores them a moment later.
    browser
        .wait_for(
            "the header to be stored",
            // The tab state is what a reload restores the editors from.
            "(localStorage.getItem('graphiql:tabState') || '').includes('Bearer ')",
        )
        .await;
    browser.navigate(&format!("{}/graphql", app.addr)).await;
    browser
        .wait_for(
            "GraphiQL to render again",
            "!!document.querySelector('.graphiql-execute-button')",
        )
        .await;
    browser
        .wait_for(
            "the query editor to be restored",
            &format!("{query}.getValue().includes('me')"),
        )
        .await;
    browser
        .wait_for(
            "the header to be restored",
            "[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
               .some(e => e.CodeMirror.getValue().includes('Bearer '))",
        )
        .await;
    browser
        .eval("document.querySelector('.graphiql-execute-button').click()")
        .await;
    browser
        .wait_for(
            "the response after a reload",
            &format!("{response}.getValue().includes('ae@test.example')"),
        )
        .await;

    // A subscription runs over the socket, authenticated by the same Headers tab.
    browser
        .eval(&format!("{query}.setValue(''); {query}.focus()"))
        .await;
    browser
        .type_text("subscription Live { handoffEvents { toStatus } }")
        .await;
    // GraphiQL sends a document over the socket once its editor has parsed it as a
    // subscription, which no page state shows: give it a moment (before it, the
    // document goes over HTTP and is refused there).
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    browser
        .eval("document.querySelector('.graphiql-execute-button').click()")
        .await;
    crate::live::subscribed(&app, 1).await;
}
