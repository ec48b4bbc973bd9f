//! Billing's reports, one page each with a chart and its tables, each downloadable as CSV:
//! receivable aging by payer and by client (as of a day), revenue, unbilled sessions and
//! denial rates (over a period). A report is built once, as tables, and both the page and the
//! CSV are written from them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::money::Cents;
use jiff::civil::Date;
use serde::Deserialize;
use service::Actor;
use service::billing::{AGING_BUCKETS, DenialRate, SessionsRow, Tally};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;
use crate::sign_ins::csv_field;

pub(super) fn routes(routes: Routes) -> Routes {
    routes
        .get("/billing/reports", page::<Aging>)
        .get("/billing/reports/aging.csv", csv::<Aging>)
        .get("/billing/reports/clients", page::<Clients>)
        .get("/billing/reports/clients.csv", csv::<Clients>)
        .get("/billing/reports/revenue", page::<Revenue>)
        .get("/billing/reports/revenue.csv", csv::<Revenue>)
        .get("/billing/reports/sessions", page::<Sessions>)
        .get("/billing/reports/sessions.csv", csv::<Sessions>)
        .get("/billing/reports/denials", page::<Denials>)
        .get("/billing/reports/denials.csv", csv::<Denials>)
}

/// What a report page was asked for; empty fields take the report's defaults.
#[derive(Deserialize, Default)]
pub(super) struct Asked {
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The days a report covers.
enum Days {
    AsOf(Date),
    Between(Date, Date),
}

impl Days {
    /// As of the day asked, today by default.
    async fn as_of(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Date, PageError> {
        Ok(super::typed_date(&asked.as_of, super::today(state, actor).await?, "as_of")?)
    }

    /// The period asked, this month to today by default.
    async fn period(state: &AppState, actor: &Actor, asked: &Asked) -> Result<(Date, Date), PageError> {
        let to = super::typed_date(&asked.to, super::today(state, actor).await?, "to")?;
        let from = super::typed_date(&asked.from, to.first_of_month(), "from")?;
        Ok(if from <= to { (from, to) } else { (to, from) })
    }

    fn query(&self) -> String {
        match self {
            Days::AsOf(day) => format!("as_of={day}"),
            Days::Between(from, to) => format!("from={from}&to={to}"),
        }
    }

    fn file_suffix(&self) -> String {
        match self {
            Days::AsOf(day) => day.to_string(),
            Days::Between(from, to) => format!("{from}-to-{to}"),
        }
    }
}

struct Cell {
    text: String,
    /// The value in the CSV: amounts as plain decimals.
    csv: String,
    href: Option<String>,
    number: bool,
}

fn text(value: impl Into<String>) -> Cell {
    let text = value.into();
    Cell { csv: text.clone(), text, href: None, number: false }
}

fn count(n: i64) -> Cell {
    Cell { text: n.to_string(), csv: n.to_string(), href: None, number: true }
}

fn money(cents: Cents) -> Cell {
    Cell { text: cents.to_string(), csv: cents.to_x12(), href: None, number: true }
}

struct Table {
    caption: &'static str,
    head: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    /// The last row is the total.
    total: bool,
}

/// One bar of the chart: its label, the value shown beside it and its drawn length (of 300).
struct Bar {
    label: String,
    shown: String,
    y: usize,
    width: i64,
}

/// The chart's bars, each `(label, value, shown)`, scaled to the largest.
fn bars(values: Vec<(String, i64, String)>) -> Vec<Bar> {
    let most = values.iter().map(|v| v.1).max().unwrap_or(0).max(1);
    values
        .into_iter()
        .enumerate()
        .map(|(n, (label, value, shown))| Bar { label, shown, y: 8 + 28 * n, width: value.max(0) * 300 / most })
        .collect()
}

/// A report as built: what the page and the CSV are written from.
struct Built {
    days: Days,
    lead: &'static str,
    chart_label: &'static str,
    bars: Vec<Bar>,
    tables: Vec<Table>,
}

trait Report {
    const PATH: &'static str;
    const NAME: &'static str;
    const TITLE: &'static str;
    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError>;
}

/// The reports, in the order of the page's tabs: (path, label).
const TABS: [(&str, &str); 5] = [
    ("/billing/reports", "By payer"),
    ("/billing/reports/clients", "By client"),
    ("/billing/reports/revenue", "Revenue"),
    ("/billing/reports/sessions", "Unbilled sessions"),
    ("/billing/reports/denials", "Denial rates"),
];

struct Tab {
    path: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "billing_reports.html")]
struct ReportPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    title: &'static str,
    path: &'static str,
    tabs: Vec<Tab>,
    as_of: Option<String>,
    period: Option<(String, String)>,
    csv: String,
    built: Built,
}

impl ReportPage {
    fn chart_height(&self) -> usize {
        16 + 28 * self.built.bars.len()
    }
}

async fn page<R: Report>(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let built = R::build(&state, &actor, &asked).await?;
    let (as_of, period) = match &built.days {
        Days::AsOf(day) => (Some(day.to_string()), None),
        Days::Between(from, to) => (None, Some((from.to_string(), to.to_string()))),
    };
    let page = ReportPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        title: R::TITLE,
        path: R::PATH,
        tabs: TABS.iter().map(|(path, label)| Tab { path, label, current: *path == R::PATH }).collect(),
        as_of,
        period,
        csv: format!("/billing/reports/{}.csv?{}", R::NAME, built.days.query()),
        built,
    };
    Ok(render(StatusCode::OK, &page))
}

async fn csv<R: Report>(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(asked): Query<Asked>,
) -> Result<Response, PageError> {
    let built = R::build(&state, &actor, &asked).await?;
    let several = built.tables.len() > 1;
    let mut out = String::new();
    // Several tables share their columns but the first: the CSV names each row's table.
    for (n, table) in built.tables.iter().enumerate() {
        if n == 0 {
            let mut head: Vec<String> = table.head.iter().map(|h| csv_field(h)).collect();
            if several {
                head[0] = "table,item".to_owned();
            }
            out.push_str(&format!("{}\n", head.join(",")));
        }
        for row in &table.rows {
            let cells: Vec<String> = row.iter().map(|c| csv_field(&c.csv)).collect();
            let caption = if several { format!("{},", csv_field(table.caption)) } else { String::new() };
            out.push_str(&format!("{caption}{}\n", cells.join(",")));
        }
    }
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-{}.csv\"", R::NAME, built.days.file_suffix())),
    ];
    Ok((headers, out).into_response())
}

/// `first`, the age buckets, then `last`.
fn aging_head(first: &'static str, last: &[&'static str]) -> Vec<&'static str> {
    [&[first][..], &AGING_BUCKETS, last].concat()
}

fn bucket_bars(total: &[Cents; 5]) -> Vec<Bar> {
    bars(AGING_BUCKETS.iter().zip(total).map(|(l, c)| ((*l).to_owned(), c.0, c.to_string())).collect())
}

struct Aging;

impl Report for Aging {
    const PATH: &'static str = "/billing/reports";
    const NAME: &'static str = "aging";
    const TITLE: &'static str = "Accounts receivable by payer";

    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError> {
        let as_of = Days::as_of(state, actor, asked).await?;
        let rows = state.haven.ar_aging(actor, as_of).await?;
        let total = rows.last().map_or([Cents::ZERO; 5], |r| r.buckets);
        let rows = rows
            .into_iter()
            .map(|r| {
                let mut cells = vec![text(r.payer)];
                cells.extend(r.buckets.into_iter().chain([r.total]).map(money));
                cells.push(count(r.claims));
                cells
            })
            .collect();
        Ok(Built {
            days: Days::AsOf(as_of),
            lead: "What payers still owe on claims sent and not yet answered, by how long ago the service was.",
            chart_label: "Amount owed by age of service",
            bars: bucket_bars(&total),
            tables: vec![Table {
                caption: "By payer",
                head: aging_head("Payer", &["Total", "Claims"]),
                rows,
                total: true,
            }],
        })
    }
}

struct Clients;

impl Report for Clients {
    const PATH: &'static str = "/billing/reports/clients";
    const NAME: &'static str = "clients";
    const TITLE: &'static str = "Accounts receivable by client";

    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError> {
        let as_of = Days::as_of(state, actor, asked).await?;
        let balances = state.haven.client_balances(actor, as_of).await?;
        let mut total = [Cents::ZERO; 5];
        let mut owed = Cents::ZERO;
        let mut rows = Vec::new();
        for b in balances {
            for (sum, part) in total.iter_mut().zip(b.buckets) {
                *sum = Cents(sum.0 + part.0);
            }
            owed = Cents(owed.0 + b.balance.0);
            let mut cells = vec![Cell { href: Some(format!("/clients/{}/ledger", b.client)), ..text(b.name) }];
            cells.extend(b.buckets.into_iter().chain([b.balance]).map(money));
            rows.push(cells);
        }
        let mut last = vec![text("All clients")];
        last.extend(total.into_iter().chain([owed]).map(money));
        rows.push(last);
        let head = aging_head("Client", &["Total"]);
        Ok(Built {
            days: Days::AsOf(as_of),
            lead: "What each client owes (their share of claims and their self-pay sessions, less what they paid \
                   and what was written off), aged from when each amount became theirs; payments settle the \
                   oldest first. A negative balance is a credit.",
            chart_label: "Amount clients owe by age",
            bars: bucket_bars(&total),
            tables: vec![Table { caption: "By client", head, rows, total: true }],
        })
    }
}

fn tally_rows(tallies: Vec<Tally>) -> Vec<Vec<Cell>> {
    tallies
        .into_iter()
        .map(|t| vec![text(t.label), count(t.charges), money(t.charged), money(t.paid), money(t.client_share)])
        .collect()
}

struct Revenue;

impl Report for Revenue {
    const PATH: &'static str = "/billing/reports/revenue";
    const NAME: &'static str = "revenue";
    const TITLE: &'static str = "Revenue";

    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError> {
        let (from, to) = Days::period(state, actor, asked).await?;
        let r = state.haven.revenue(actor, from, to).await?;
        let chart = r.by_clinician.iter().map(|t| (t.label.clone(), t.charged.0, t.charged.to_string())).collect();
        let table = |caption: &'static str, first: &'static str, tallies: Vec<Tally>, total: Option<Tally>| Table {
            caption,
            head: vec![first, "Charges", "Charged", "Paid by payers", "Client's share"],
            total: total.is_some(),
            rows: tally_rows(tallies.into_iter().chain(total).collect()),
        };
        Ok(Built {
            days: Days::Between(from, to),
            lead: "Charges for services in the period, with what payers paid on them and what they left to the \
                   client (for self-pay, the whole charge).",
            chart_label: "Charged by clinician",
            bars: bars(chart),
            tables: vec![
                table("By clinician", "Clinician", r.by_clinician, Some(r.total)),
                table("By service", "Service code", r.by_service, None),
                table("By payer", "Payer", r.by_payer, None),
            ],
        })
    }
}

struct Sessions;

impl Report for Sessions {
    const PATH: &'static str = "/billing/reports/sessions";
    const NAME: &'static str = "sessions";
    const TITLE: &'static str = "Unbilled sessions";

    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError> {
        let (from, to) = Days::period(state, actor, asked).await?;
        let rows = state.haven.unbilled_sessions(actor, from, to).await?;
        let total = rows.last().cloned().unwrap_or_default();
        let waiting = [
            ("No note", total.no_note),
            ("Note not signed", total.unsigned),
            ("No charge", total.uncharged),
            ("Not claimed", total.unclaimed),
            ("Billed", total.billed),
        ];
        let cells = |r: SessionsRow| {
            vec![
                text(r.clinician),
                count(r.attended),
                count(r.no_note),
                count(r.unsigned),
                count(r.uncharged),
                count(r.unclaimed),
                count(r.billed),
            ]
        };
        Ok(Built {
            days: Days::Between(from, to),
            lead: "Attended billable sessions in the period, each counted at the first step it waits on: a note \
                   to write, a note to sign, a charge to make (from the charges page), a claim to send. \
                   Self-pay sessions are billed once charged.",
            chart_label: "Sessions by the step they wait on",
            bars: bars(waiting.iter().map(|(l, n)| ((*l).to_owned(), *n, n.to_string())).collect()),
            tables: vec![Table {
                caption: "By clinician",
                head: vec!["Clinician", "Attended", "No note", "Note not signed", "No charge", "Not claimed", "Billed"],
                rows: rows.into_iter().map(cells).collect(),
                total: true,
            }],
        })
    }
}

fn rate_row(r: DenialRate) -> Vec<Cell> {
    let percent = r.percent();
    vec![
        text(r.label),
        text(r.words),
        count(r.denied),
        count(r.answered),
        Cell { number: true, ..text(percent) },
        money(r.amount),
    ]
}

struct Denials;

impl Report for Denials {
    const PATH: &'static str = "/billing/reports/denials";
    const NAME: &'static str = "denials";
    const TITLE: &'static str = "Denial rates";

    async fn build(state: &AppState, actor: &Actor, asked: &Asked) -> Result<Built, PageError> {
        let (from, to) = Days::period(state, actor, asked).await?;
        let report = state.haven.denial_rates(actor, from, to).await?;
        let chart: Vec<_> = report
            .by_reason
            .iter()
            .take(8)
            .map(|r| (format!("Reason {}", r.label), r.denied, format!("{} · {}", r.denied, r.percent())))
            .collect();
        let by_reason = report.by_reason.into_iter().map(rate_row).collect();
        let mut by_payer: Vec<Vec<Cell>> = report.by_payer.into_iter().map(rate_row).collect();
        by_payer.push(rate_row(report.total));
        Ok(Built {
            days: Days::Between(from, to),
            lead: "Of the claims answered by remittances paid in the period, those the payer denied: by the \
                   reason codes given (a claim denied for two reasons counts under each) and by payer.",
            chart_label: "Denied claims by reason",
            bars: bars(chart),
            tables: vec![
                Table {
                    caption: "By reason",
                    head: vec!["Reason", "In plain words", "Denied", "Answered", "Rate", "Adjusted"],
                    rows: by_reason,
                    total: false,
                },
                Table {
                    caption: "By payer",
                    head: vec!["Payer", "", "Denied", "Answered", "Rate", "Denied charges"],
                    rows: by_payer,
                    total: true,
                },
            ],
        })
    }
}
