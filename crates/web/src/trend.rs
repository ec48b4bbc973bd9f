//! Score trends as small server-rendered SVG charts: one line per instrument over its whole
//! range, the band boundaries drawn across, each point titled with its date, score and band.
//! Built from numbers and the shipped band labels only, escaped all the same.

use std::fmt::Write;

use domain::measures::Band;

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 140.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// One point: its date as shown, the score, and its band.
pub(crate) struct Point {
    pub date: String,
    pub score: u32,
    pub band: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The chart for scores between `min` and `max`, oldest point first; `title` names it for
/// screen readers.
pub(crate) fn svg(title: &str, points: &[Point], (min, max): (u32, u32), bands: &[Band]) -> String {
    let span = f64::from(max.saturating_sub(min).max(1));
    let y = |score: u32| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - f64::from(score.saturating_sub(min)) / span);
    let step = if points.len() > 1 { (WIDTH - LEFT - RIGHT) / (points.len() - 1) as f64 } else { 0.0 };
    let x = |i: usize| if points.len() > 1 { LEFT + step * i as f64 } else { (LEFT + WIDTH - RIGHT) / 2.0 };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}">"#,
        escape(title)
    );
    // Band boundaries (the lower edge of every band but the first), with the score they start at.
    for band in bands.iter().skip(1) {
        let at = y(band.low);
        let _ = write!(
            out,
            r#"<line class="band" x1="{LEFT}" x2="{}" y1="{at:.1}" y2="{at:.1}"/><text class="axis" x="{}" y="{:.1}">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 4.0,
            at + 3.0,
            band.low
        );
    }
    let _ = write!(
        out,
        r#"<text class="axis" x="{}" y="{:.1}">{min}</text><text class="axis" x="{}" y="{:.1}">{max}</text>"#,
        LEFT - 4.0,
        y(min) + 3.0,
        LEFT - 4.0,
        y(max) + 3.0
    );
    if points.len() > 1 {
        let line: Vec<String> =
            points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.score))).collect();
        let _ = write!(out, r#"<polyline class="line" points="{}"/>"#, line.join(" "));
    }
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            out,
            r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="4"><title>{}: {} ({})</title></circle>"#,
            x(i),
            y(p.score),
            escape(&p.date),
            p.score,
            escape(&p.band)
        );
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            out,
            r#"<text class="axis start" x="{LEFT}" y="{}">{}</text><text class="axis end" x="{}" y="{}">{}</text>"#,
            HEIGHT - 6.0,
            escape(&first.date),
            WIDTH - RIGHT,
            HEIGHT - 6.0,
            escape(&last.date)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_placed_within_the_range_and_text_is_escaped() {
        let bands = [Band { low: 0, high: 4, label: "minimal".into() }, Band { low: 5, high: 21, label: "<b>".into() }];
        let points = [
            Point { date: "Jan 1".into(), score: 0, band: "minimal".into() },
            Point { date: "Feb 1".into(), score: 21, band: "<b>".into() },
        ];
        let svg = svg("GAD-7 <trend>", &points, (0, 21), &bands);
        assert!(svg.contains(r#"aria-label="GAD-7 &lt;trend&gt;""#));
        assert!(svg.contains(&format!(r#"cy="{:.1}""#, HEIGHT - BOTTOM)), "0 at the bottom: {svg}");
        assert!(svg.contains(&format!(r#"cy="{TOP:.1}""#)), "the maximum at the top: {svg}");
        assert!(svg.contains("(&lt;b&gt;)") && !svg.contains("<b>"));
        assert_eq!(svg.matches("<line").count(), 1, "one boundary between two bands");
    }
}
