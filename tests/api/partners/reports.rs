//! The territory report downloads as a partner sees them: refused alike for every
//! territory, real or random, in every form, naming nothing.

use uuid::Uuid;

use crate::{
    helpers::TestApp,
    reports::downloads::{csv_path, get},
};

#[tokio::test]
async fn report_downloads_reveal_nothing_to_partners() {
    let app = TestApp::spawn().await;
    let roots = [
        app.fx.territories["global"],
        app.fx.territories["amer"],
        app.fx.territories["emea"],
        Uuid::new_v4(),
    ];
    let mut answers = Vec::new();
    for who in ["partner", "partner2"] {
        let token = app.token(who);
        for root in roots {
            for path in [
                csv_path(root, "FY2026"),
                csv_path(root, "FY2026").replace("territories.csv", "territories.html"),
            ] {
                let resp = get(&app, &path, Some(&token)).await;
                let status = resp.status().as_u16();
                let body = resp.text().await.unwrap();
                for name in ["GLOBAL", "AMER", "EMEA", "NA_WEST"] {
                    assert!(!body.contains(name), "{who} {path}: {body}");
                }
                answers.push((status, body));
            }
        }
    }
    // One answer for all: a real territory is refused exactly like a random id.
    assert!(answers.iter().all(|a| a.0 == 403), "{answers:?}");
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
}
