//! Billing's reports: accounts receivable aging by payer, as a table with a bar per age bucket
//! and as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::money::Cents;
use jiff::civil::Date;
use serde::Deserialize;
use service::billing::{AGING_BUCKETS, AgingRow};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;
use crate::sign_ins::csv_field;

/// One bar of the chart: the bucket, its amount and its drawn length (of 300).
struct Bar {
    label: &'static str,
    amount: String,
    y: usize,
    width: i64,
}

struct Row {
    payer: String,
    buckets: Vec<String>,
    total: String,
    claims: i64,
}

#[derive(Template)]
#[template(path = "billing_reports.html")]
pub(super) struct ReportsPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    as_of: String,
    labels: [&'static str; 5],
    rows: Vec<Row>,
    bars: Vec<Bar>,
}

#[derive(Deserialize, Default)]
pub(super) struct AsOf {
    #[serde(default)]
    as_of: String,
}

async fn aging(state: &AppState, actor: &service::Actor, as_of: &str) -> Result<(Date, Vec<AgingRow>), PageError> {
    let date = super::typed_date(as_of, super::today(state, actor).await?, "as_of")?;
    Ok((date, state.haven.ar_aging(actor, date).await?))
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    let (date, rows) = aging(&state, &actor, &query.as_of).await?;
    let total = rows.last().map(|r| r.buckets).unwrap_or([Cents::ZERO; 5]);
    let most = total.iter().map(|c| c.0).max().unwrap_or(0).max(1);
    let bars = AGING_BUCKETS
        .iter()
        .zip(total)
        .enumerate()
        .map(|(n, (label, cents))| Bar { label, amount: cents.to_string(), y: 8 + 28 * n, width: cents.0 * 300 / most })
        .collect();
    let page = ReportsPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        as_of: date.to_string(),
        labels: AGING_BUCKETS,
        rows: rows
            .into_iter()
            .map(|r| Row {
                payer: r.payer,
                buckets: r.buckets.iter().map(ToString::to_string).collect(),
                total: r.total.to_string(),
                claims: r.claims,
            })
            .collect(),
        bars,
    };
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn csv(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    let (date, rows) = aging(&state, &actor, &query.as_of).await?;
    let mut out = String::from("payer");
    for label in AGING_BUCKETS {
        out.push(',');
        out.push_str(&csv_field(label));
    }
    out.push_str(",total,claims\n");
    for r in rows {
        out.push_str(&csv_field(&r.payer));
        for cents in r.buckets.iter().chain([&r.total]) {
            out.push(',');
            out.push_str(&cents.to_x12());
        }
        out.push_str(&format!(",{}\n", r.claims));
    }
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"ar-aging-{date}.csv\"")),
    ];
    Ok((headers, out).into_response())
}
