//! `/metrics` (OP-3): the Prometheus text format — requests and their latencies by method, route
//! template and status class, the audit logs' size and checkpoint age, the audit outbox's
//! backlog (events not yet in a log, and how long the oldest has waited), readiness, uptime. No
//! label carries PHI or an identifier (routes are templates such as `/clients/{id}`, audit
//! figures are summed over practices). Answered only to a client on this machine (after trusted
//! proxies), as if absent to anyone else: scrape it locally or through a private tunnel.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::jobs::JobState;

use crate::AppState;
use crate::routes::Routes;

pub(crate) fn routes() -> Routes {
    Routes::new().get("/metrics", metrics)
}

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Debug, Default)]
struct Series {
    count: u64,
    seconds: f64,
    /// Requests at or under each bound (not yet cumulative).
    buckets: [u64; BUCKETS.len()],
}

/// What the server counts about its requests since it started.
#[derive(Debug)]
pub(crate) struct Metrics {
    started: Instant,
    series: Mutex<BTreeMap<(String, String, &'static str), Series>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self { started: Instant::now(), series: Mutex::new(BTreeMap::new()) }
    }
}

impl Metrics {
    fn observe(&self, method: String, route: String, status: StatusCode, seconds: f64) {
        let class = match status.as_u16() {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let Ok(mut series) = self.series.lock() else { return };
        let s = series.entry((method, route, class)).or_default();
        s.count += 1;
        s.seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            s.buckets[i] += 1;
        }
    }

    fn write_requests(&self, out: &mut String) {
        let Ok(series) = self.series.lock() else { return };
        out.push_str("# HELP haven_http_requests_total HTTP requests answered, by method, route and status class.\n");
        out.push_str("# TYPE haven_http_requests_total counter\n");
        for ((method, route, class), s) in series.iter() {
            let _ = writeln!(out, "haven_http_requests_total{{{}}} {}", labels(method, route, Some(class)), s.count);
        }
        out.push_str("# HELP haven_http_request_duration_seconds Time to answer, by method and route.\n");
        out.push_str("# TYPE haven_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in series.iter() {
            let sum = by_route.entry((method, route)).or_default();
            sum.count += s.count;
            sum.seconds += s.seconds;
            sum.buckets.iter_mut().zip(s.buckets).for_each(|(a, b)| *a += b);
        }
        for ((method, route), s) in by_route {
            let base = labels(method, route, None);
            let mut below = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                below += n;
                let _ = writeln!(out, "haven_http_request_duration_seconds_bucket{{{base},le=\"{bound}\"}} {below}");
            }
            let _ = writeln!(out, "haven_http_request_duration_seconds_bucket{{{base},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "haven_http_request_duration_seconds_sum{{{base}}} {}", s.seconds);
            let _ = writeln!(out, "haven_http_request_duration_seconds_count{{{base}}} {}", s.count);
        }
    }
}

fn labels(method: &str, route: &str, class: Option<&str>) -> String {
    let escape = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let mut out = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
    if let Some(class) = class {
        let _ = write!(out, ",status=\"{class}\"");
    }
    out
}

/// Counts every routed request on its way out (routes as their templates).
pub(crate) async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let response = next.run(request).await;
    state.metrics.observe(method, route, response.status(), started.elapsed().as_secs_f64());
    response
}

async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let local = peer.is_some_and(|peer| state.options.trusted_proxies.client(peer, forwarded).is_loopback());
    if !local {
        return crate::pages::not_found().await.into_response();
    }
    let mut out = String::with_capacity(4096);
    state.metrics.write_requests(&mut out);
    let ready = state.haven.readiness().await.is_ok();
    let _ = writeln!(
        out,
        "# HELP haven_ready Whether the database answers and is migrated and the audit writer keeps up.\n# TYPE haven_ready gauge"
    );
    let _ = writeln!(out, "haven_ready {}", u8::from(ready));
    if let Ok(logs) = state.haven.audit_status().await {
        let now = state.haven.now();
        let events: u64 = logs.iter().map(|l| l.size).sum();
        let oldest_head =
            logs.iter().filter_map(|l| l.head_at).map(|at| now.duration_since(at).as_secs_f64()).fold(0.0, f64::max);
        out.push_str("# HELP haven_audit_logs Practices with an audit log.\n# TYPE haven_audit_logs gauge\n");
        let _ = writeln!(out, "haven_audit_logs {}", logs.len());
        out.push_str(
            "# HELP haven_audit_events Events in every audit log together.\n# TYPE haven_audit_events gauge\n",
        );
        let _ = writeln!(out, "haven_audit_events {events}");
        out.push_str("# HELP haven_audit_checkpoint_age_seconds Age of the stalest newest checkpoint.\n");
        out.push_str("# TYPE haven_audit_checkpoint_age_seconds gauge\n");
        let _ = writeln!(out, "haven_audit_checkpoint_age_seconds {oldest_head}");
    }
    if let Ok(backlog) = state.haven.audit_backlog().await {
        let age = backlog.oldest_queued.map_or(0.0, |at| state.haven.now().duration_since(at).as_secs_f64().max(0.0));
        out.push_str(
            "# HELP haven_audit_outbox_events Events waiting for their place in a log.
",
        );
        out.push_str(
            "# TYPE haven_audit_outbox_events gauge
",
        );
        let _ = writeln!(out, "haven_audit_outbox_events {}", backlog.waiting);
        out.push_str(
            "# HELP haven_audit_outbox_age_seconds How long the oldest of them has waited.
",
        );
        out.push_str(
            "# TYPE haven_audit_outbox_age_seconds gauge
",
        );
        let _ = writeln!(out, "haven_audit_outbox_age_seconds {age}");
    }
    if let Ok(gauges) = state.haven.operations_gauges().await {
        let now = state.haven.now();
        let age = |at: jiff::Timestamp| now.duration_since(at).as_secs_f64().max(0.0);
        gauge(
            &mut out,
            "haven_data_key_age_seconds",
            "Age of the oldest key new values are sealed with.",
            gauges.oldest_data_key_seconds,
        );
        if let Some(b) = gauges.backups {
            gauge(&mut out, "haven_backups", "Backups kept.", b.count as f64);
            if let Some(newest) = b.newest {
                gauge(&mut out, "haven_backup_age_seconds", "Age of the newest backup.", age(newest));
            }
            if let Some((_, drilled)) = b.verified {
                gauge(
                    &mut out,
                    "haven_backup_verified_age_seconds",
                    "Time since a backup last passed a restore drill.",
                    age(drilled),
                );
            }
        }
    }
    write_jobs(&mut out, &state.haven.job_states());
    out.push_str("# HELP haven_uptime_seconds Time since the server started.\n# TYPE haven_uptime_seconds gauge\n");
    let _ = writeln!(out, "haven_uptime_seconds {}", state.metrics.started.elapsed().as_secs_f64());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], out)
        .into_response()
}

/// The background jobs: rounds finished and failed, running now, the last success. Labelled
/// by the job's fixed name only.
fn write_jobs(out: &mut String, jobs: &[(&'static str, JobState)]) {
    type Family = (&'static str, &'static str, &'static str, fn(&JobState) -> Option<f64>);
    let families: [Family; 4] = [
        ("haven_job_runs_total", "counter", "Rounds a background job has finished.", |j| Some(j.runs as f64)),
        ("haven_job_failures_total", "counter", "Rounds that failed.", |j| Some(j.failures as f64)),
        ("haven_job_running", "gauge", "Whether a round runs now.", |j| Some(f64::from(u8::from(j.running)))),
        ("haven_job_last_success_timestamp_seconds", "gauge", "When a round last succeeded (Unix time).", |j| {
            j.last_success.map(|at| at.as_millisecond() as f64 / 1000.0)
        }),
    ];
    for (name, kind, help, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (job, state) in jobs {
            if let Some(value) = value(state) {
                let _ = writeln!(out, "{name}{{job=\"{job}\"}} {value}");
            }
        }
    }
}

/// One gauge with its help line.
fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
}
