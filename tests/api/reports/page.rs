//! The printable page: self-contained, the same numbers, opened from a signed link, and
//! rendered by headless Chromium into a screenshot that is not blank.

use std::io::Read as _;

use super::{
    correctness::report,
    downloads::{get, link},
    fixture::{at, build, spawn_february},
};

/// Pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes), as RGB.
fn decode_png(bytes: &[u8]) -> (usize, usize, Vec<[u8; 3]>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut pos, mut idat, mut header) = (8, Vec::new(), None);
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => header = Some(data.to_vec()),
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let h = header.expect("IHDR");
    let width = u32::from_be_bytes(h[0..4].try_into().unwrap()) as usize;
    let height = u32::from_be_bytes(h[4..8].try_into().unwrap()) as usize;
    assert_eq!((h[8], h[12]), (8, 0), "8-bit, non-interlaced");
    let bpp = match h[9] {
        2 => 3,
        6 => 4,
        other => panic!("colour type {other}"),
    };
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * bpp;
    let mut prev = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let (filter, data) = (line[0], &line[1..]);
        let mut cur = vec![0u8; stride];
        for i in 0..stride {
            let a = if i >= bpp { cur[i - bpp] as i16 } else { 0 };
            let b = prev[i] as i16;
            let c = if i >= bpp { prev[i - bpp] as i16 } else { 0 };
            let predictor = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                other => panic!("filter {other}"),
            };
            cur[i] = data[i].wrapping_add(predictor as u8);
        }
        for px in cur.chunks(bpp) {
            pixels.push([px[0], px[1], px[2]]);
        }
        prev = cur;
    }
    (width, height, pixels)
}

#[tokio::test]
async fn the_page_is_self_contained_and_renders_in_chromium() {
    let app = spawn_february().await;
    let built = build(&app).await;
    app.state.clock.set(Some(at(2026, 3, 16, 12, 0)));
    let body = link(&app, "director", "HTML", built.t["R"], "FY2026-Q1").await;
    let url = body["data"]["reportLink"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with("/reports/territories.html?"), "{url}");
    let resp = get(&app, &url, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    assert!(
        resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let html = resp.text().await.unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "two charts");
    for banned in ["<script", "src=", "href=", "url(", "@import", "<link"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    // The same numbers as GraphQL.
    let gql = report(&app, "director", built.t["R"], "FY2026-Q1").await;
    for row in gql["data"]["territoryReport"]["territories"]
        .as_array()
        .unwrap()
    {
        let bookings = row["bookings"].as_str().unwrap();
        assert!(html.contains(&format!("<td>{bookings}</td>")), "{bookings}");
    }
    assert!(html.contains("<td>0.3875</td>") && html.contains("<td>0.7838</td>"));

    let Ok(chromium) = which_chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is required under CI (apt-get install -y chromium)"
        );
        eprintln!("chromium not installed: screenshot check skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("salesgraph-page-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (page, shot) = (dir.join("report.html"), dir.join("report.png"));
    std::fs::write(&page, &html).unwrap();
    let mut cmd = std::process::Command::new("timeout");
    cmd.arg("120")
        .arg(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(["--window-size=1400,1000", "--force-device-scale-factor=1"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()));
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    let (w, h, pixels) = decode_png(&png);
    assert_eq!((w, h), (1400, 1000));
    let background = pixels[0];
    let differs = pixels.iter().filter(|p| **p != background).count();
    let colourful = pixels
        .iter()
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60)
        .count();
    assert!(
        differs * 100 > pixels.len(),
        "blank page: {differs} of {} pixels drawn",
        pixels.len()
    );
    assert!(
        colourful > 500,
        "no bars drawn ({colourful} coloured pixels)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn which_chromium() -> Result<String, ()> {
    for name in ["chromium", "chromium-browser"] {
        let found = std::process::Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .map_err(|_| ())?;
        if found.status.success() {
            return Ok(String::from_utf8_lossy(&found.stdout).trim().to_string());
        }
    }
    Err(())
}
