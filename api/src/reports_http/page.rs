//! The printable territory report: one self-contained HTML file (inline CSS, inline SVG
//! bar charts, no script, no external asset) with the same table as the CSV.

use std::fmt::Write as _;

use crate::services::{
    report_table::{COLUMNS, Cell, cells, rows},
    reports::TerritoryReport,
};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font: 12px/1.4 system-ui, sans-serif; color: #111; margin: 24px; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 8px; }
p.meta { color: #444; margin: 0 0 16px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.charts figure { margin: 0; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: right; }
td { white-space: nowrap; }
th { font-size: 10px; }
th { background: #eee; font-weight: 600; }
td.text { text-align: left; }
tr.rep td { background: #f8f8ff; }
@media print {
  body { margin: 8mm; font-size: 9px; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table { page-break-inside: auto; } tr { page-break-inside: avoid; }
}
@page { size: A4 landscape; }
";

/// A horizontal bar chart of one ratio per territory; the dashed line marks 100 %.
fn bar_chart(title: &str, bars: &[(String, Option<f64>)], color: &str) -> String {
    let (label_w, bar_w, row_h) = (180.0, 320.0, 22.0);
    let max = bars
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(1.0_f64, f64::max)
        .min(3.0);
    let height = row_h * bars.len() as f64 + 30.0;
    let width = label_w + bar_w + 70.0;
    let mut svg = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\"><title>{}</title>",
        esc(title)
    );
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"600\">{}</text>",
        esc(title)
    );
    for (i, (name, value)) in bars.iter().enumerate() {
        let y = 24.0 + row_h * i as f64;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(name)
        );
        let _ = write!(
            svg,
            "<rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"{}\" fill=\"#eee\"/>",
            row_h - 6.0
        );
        let text = match value {
            Some(v) => {
                let w = (v.max(0.0) / max).min(1.0) * bar_w;
                let _ = write!(
                    svg,
                    "<rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{color}\"/>",
                    row_h - 6.0
                );
                format!("{:.0} %", v * 100.0)
            }
            None => "n/a".into(),
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            label_w + bar_w + 6.0,
            y + 14.0,
            esc(&text)
        );
    }
    let target_x = label_w + bar_w / max;
    let _ = write!(
        svg,
        "<line x1=\"{target_x:.1}\" y1=\"20\" x2=\"{target_x:.1}\" y2=\"{}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/></svg><figcaption>{}</figcaption></figure>",
        height - 4.0,
        esc("Dashed line: 100 %")
    );
    svg
}

pub fn render(report: &TerritoryReport) -> String {
    let title = format!("Territory report: {} — {}", report.root_name, report.period);
    let indent = |depth: Option<i32>, name: &str| {
        // Figure spaces: SVG text would collapse ordinary ones.
        format!(
            "{}{name}",
            "\u{2007}\u{2007}".repeat(depth.unwrap_or(0).max(0) as usize)
        )
    };
    let attainment: Vec<_> = report
        .territories
        .iter()
        .map(|t| (indent(t.depth, &t.name), t.attainment()))
        .collect();
    let coverage: Vec<_> = report
        .territories
        .iter()
        .map(|t| (indent(t.depth, &t.name), t.coverage()))
        .collect();
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = write!(
        html,
        "<h1>{}</h1><p class=\"meta\">{} to {} · as of {} · money in the reporting currency · ratios as fractions</p>",
        esc(&title),
        report.start,
        report.last_day,
        report.as_of
    );
    html.push_str("<div class=\"charts\">");
    html.push_str(&bar_chart(
        "Attainment (bookings ÷ quota)",
        &attainment,
        "#2b6cb0",
    ));
    html.push_str(&bar_chart(
        "Pipeline coverage (open pipeline ÷ remaining quota)",
        &coverage,
        "#2f855a",
    ));
    html.push_str("</div><h2>Territories and reps</h2><table><thead><tr>");
    // Global ids are for machines: the CSV has them, the printed table does not.
    let shown: Vec<bool> = COLUMNS
        .iter()
        .map(|c| !matches!(*c, "subjectId" | "parentId"))
        .collect();
    for (c, show) in COLUMNS.iter().zip(&shown) {
        if *show {
            let _ = write!(html, "<th>{}</th>", esc(c));
        }
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows(report) {
        let class = match row.kind {
            crate::services::reports::RowKind::Territory => "territory",
            crate::services::reports::RowKind::Rep => "rep",
        };
        let _ = write!(html, "<tr class=\"{class}\">");
        let pad = row.depth.unwrap_or(0).max(0) * 12 + 5;
        for (i, (cell, show)) in cells(row).into_iter().zip(&shown).enumerate() {
            if !show {
                continue;
            }
            match cell {
                Cell::Text(s) if COLUMNS.get(i) == Some(&"name") => {
                    let _ = write!(
                        html,
                        "<td class=\"text\" style=\"padding-left:{pad}px\">{}</td>",
                        esc(&s)
                    );
                }
                Cell::Text(s) => {
                    let _ = write!(html, "<td class=\"text\">{}</td>", esc(&s));
                }
                other => {
                    let _ = write!(html, "<td>{}</td>", esc(other.as_str()));
                }
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></body></html>");
    html
}
