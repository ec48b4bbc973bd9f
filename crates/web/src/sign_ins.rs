//! The owner's sign-in history: every sign-in, failure, lockout and sign-out of the practice's
//! accounts with time, network address and browser, filterable, and exportable as CSV.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::validation::FieldErrors;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use service::{Actor, ServiceError, SignInEvent, SignInEventKind, SignInFilter};

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::remote::browser_summary;
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

/// Rows shown on the page; the CSV holds up to `EXPORT_ROWS`.
const PAGE_ROWS: u32 = 200;
const EXPORT_ROWS: u32 = 100_000;

pub(crate) fn routes() -> Routes {
    Routes::new().get("/sign-ins", page).get("/sign-ins.csv", csv)
}

/// The filter as the form sends it: every field optional, dates in the practice's time zone.
#[derive(Debug, Default, Deserialize)]
struct FilterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl FilterForm {
    fn to_filter(&self, tz: &TimeZone, limit: u32) -> Result<SignInFilter, ServiceError> {
        let mut errors = FieldErrors::default();
        let kind = match self.kind.as_str() {
            "" => None,
            k => errors.check("kind", k.parse::<SignInEventKind>()),
        };
        let (since, until) = day_range(&self.from, &self.to, tz, &mut errors);
        let email = Some(self.email.trim().to_owned()).filter(|e| !e.is_empty());
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        Ok(SignInFilter { kind, email, since, until, limit })
    }

    /// The same filter as a query string, for the CSV link.
    fn query(&self) -> String {
        let pairs = [("kind", &self.kind), ("email", &self.email), ("from", &self.from), ("to", &self.to)];
        serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
    }
}

/// The instants a `from`–`to` filter of dates (fields `from` and `to`, either may be empty)
/// covers in the practice's time zone; "to" includes its whole day.
pub(crate) fn day_range(
    from: &str,
    to: &str,
    tz: &TimeZone,
    errors: &mut FieldErrors,
) -> (Option<jiff::Timestamp>, Option<jiff::Timestamp>) {
    let mut day = |field: &'static str, text: &str| match text.trim() {
        "" => None,
        t => errors
            .check(field, t.parse::<Date>().map_err(|_| "must be a date such as 2026-11-23".to_owned()))
            .and_then(|d| d.to_zoned(tz.clone()).ok()),
    };
    let since = day("from", from).map(|z| z.timestamp());
    let until = day("to", to).and_then(|z| z.tomorrow().ok()).map(|z| z.timestamp());
    (since, until)
}

/// The practice's time zone, in which times are shown and dates are read.
pub(crate) async fn time_zone(state: &AppState, actor: &Actor) -> Result<TimeZone, ServiceError> {
    let practice = state.haven.practice(actor).await?;
    Ok(TimeZone::get(practice.profile.time_zone.as_str()).unwrap_or(TimeZone::UTC))
}

fn label(kind: SignInEventKind) -> &'static str {
    match kind {
        SignInEventKind::SignedIn => "Signed in",
        SignInEventKind::Failed => "Failed",
        SignInEventKind::Locked => "Locked out",
        SignInEventKind::SignedOut => "Signed out",
        SignInEventKind::ResetRequested => "Asked for a password reset",
    }
}

struct Row {
    when: String,
    browser: String,
    kind: SignInEventKind,
    label: &'static str,
    email: String,
    ip: String,
    user_agent: String,
}

fn row(event: SignInEvent, tz: &TimeZone) -> Row {
    Row {
        when: crate::when::moment_to_the_second(event.at, tz),
        browser: browser_summary(&event.user_agent),
        kind: event.kind,
        label: label(event.kind),
        email: event.email,
        ip: event.ip,
        user_agent: event.user_agent,
    }
}

#[derive(Template)]
#[template(path = "sign_ins.html")]
struct HistoryPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    form: FilterForm,
    errors: FieldErrors,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, &'static str)>,
    csv_query: String,
    limit: u32,
    idle_seconds: i64,
}

async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(form): Query<FilterForm>,
) -> Result<Response, PageError> {
    let tz = time_zone(&state, &actor).await?;
    let (status, rows, errors) = match form.to_filter(&tz, PAGE_ROWS) {
        Ok(filter) => {
            let events = state.haven.sign_in_history(&actor, &filter).await?;
            (StatusCode::OK, events.into_iter().map(|e| row(e, &tz)).collect(), FieldErrors::default())
        }
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), errors),
        Err(e) => return Err(e.into()),
    };
    let page = HistoryPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        csv_query: form.query(),
        form,
        errors,
        rows,
        kinds: SignInEventKind::ALL.iter().map(|k| (k.as_str(), label(*k))).collect(),
        limit: PAGE_ROWS,
        idle_seconds: actor.idle_timeout().as_secs(),
    };
    Ok(render(status, &page))
}

async fn csv(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(form): Query<FilterForm>,
) -> Result<Response, PageError> {
    let tz = time_zone(&state, &actor).await?;
    let events = state.haven.sign_in_history(&actor, &form.to_filter(&tz, EXPORT_ROWS)?).await?;
    let mut out = String::from("time,event,email,ip,user_agent\r\n");
    for event in events {
        let r = row(event, &tz);
        let fields = [r.when.as_str(), r.kind.as_str(), &r.email, &r.ip, &r.user_agent];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let disposition = "attachment; filename=\"sign-in-history.csv\"";
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, disposition)], out)
        .into_response())
}

/// One CSV field (RFC 4180). Text a spreadsheet would take for a formula (a user agent is
/// whatever the caller sent) is prefixed with an apostrophe, so it stays text.
pub(crate) fn csv_field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Mozilla/5.0 (X11, Linux)"), "\"Mozilla/5.0 (X11, Linux)\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("@SUM"), "'@SUM");
    }

    #[test]
    fn the_filter_is_read_in_the_practice_time_zone() {
        let tz = TimeZone::get("America/Los_Angeles").unwrap_or(TimeZone::UTC);
        let form = FilterForm {
            kind: "failed".into(),
            email: " A@B.example ".into(),
            from: "2026-11-01".into(),
            to: "2026-11-01".into(),
        };
        let filter = form.to_filter(&tz, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(filter.kind, Some(SignInEventKind::Failed));
        assert_eq!(filter.email.as_deref(), Some("A@B.example"));
        assert_eq!(filter.since.map(|t| t.to_string()).as_deref(), Some("2026-11-01T07:00:00Z"));
        // Daylight saving time ends that day: it lasts 25 hours.
        assert_eq!(filter.until.map(|t| t.to_string()).as_deref(), Some("2026-11-02T08:00:00Z"));
        let bad = FilterForm { kind: "exploded".into(), from: "yesterday".into(), ..FilterForm::default() };
        let Err(ServiceError::Invalid(errors)) = bad.to_filter(&tz, 10) else { panic!("accepted") };
        assert!(errors.get("kind").is_some() && errors.get("from").is_some());
    }
}
