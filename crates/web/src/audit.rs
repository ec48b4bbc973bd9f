//! The owner's audit log page (AUDIT.md §5): filters by staff member, client, action, outcome
//! and any date range, sorts by any column, one click for after-hours and weekend access, pages,
//! and a CSV of the same selection with every field. Reading it is itself logged (the service
//! does that).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Redirect, Response};
use domain::validation::FieldErrors;
use domain::{ClientId, UserId};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use service::{
    Actor, AuditOrder, AuditQuery, AuditRetention, AuditRow, MAX_AUDIT_RETENTION_YEARS, MIN_AUDIT_RETENTION_YEARS,
    PageCursor, ServiceError,
};

use crate::error::{ApiError, PageError};
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::{ApiSignedIn, SignedIn};
use crate::sign_ins::{csv_field, day_range, time_zone};
use crate::{AppState, security};

const PAGE_ROWS: u32 = 100;
const EXPORT_ROWS: u32 = 100_000;
const OUTCOMES: [(&str, &str); 3] = [("ok", "Allowed"), ("denied", "Refused"), ("error", "Failed")];

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/audit", page)
        .get("/audit.csv", csv)
        .get("/audit.fhir.json", fhir)
        .get("/audit/checkpoint", checkpoint)
        .post("/audit/retention", set_retention)
}

/// The filter as the form sends it: every field optional, dates in the practice's time zone.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
struct FilterForm {
    #[serde(default)]
    staff: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after_hours: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
    /// In time order: the page after / before the event with this `seq` (keyset paging).
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

impl FilterForm {
    fn to_query(&self, tz: &TimeZone, limit: u32) -> Result<AuditQuery, ServiceError> {
        let mut errors = FieldErrors::default();
        let id = |field: &'static str, text: &str, errors: &mut FieldErrors| match text.trim() {
            "" => None,
            t => errors.check(field, t.parse::<uuid_text::Id>().map(|i| i.0).map_err(|_| "must be an id".to_owned())),
        };
        let actor = id("staff", &self.staff, &mut errors).map(UserId::from_random_bytes);
        let client = id("client", &self.client, &mut errors).map(ClientId::from_random_bytes);
        let (since, until) = day_range(&self.from, &self.to, tz, &mut errors);
        let outcome = match self.outcome.as_str() {
            "" => None,
            o if OUTCOMES.iter().any(|(code, _)| *code == o) => Some(o.to_owned()),
            _ => {
                errors.add("outcome", "is not one of the choices");
                None
            }
        };
        let order = AuditOrder::ALL.into_iter().find(|o| o.as_str() == self.sort).unwrap_or_default();
        let page = self.page.trim().parse::<u32>().unwrap_or(1).clamp(1, 10_000);
        let seq = |text: &str| text.trim().parse::<u64>().ok();
        let cursor = seq(&self.after).map(PageCursor::After).or(seq(&self.before).map(PageCursor::Before));
        let cursor = cursor.filter(|_| self.keyset());
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        Ok(AuditQuery {
            actor,
            client,
            action: Some(self.action.trim().to_owned()).filter(|a| !a.is_empty()),
            outcome,
            since,
            until,
            after_hours: !self.after_hours.is_empty(),
            order,
            descending: self.dir != "asc",
            limit,
            // A cursor says where the page is; without one, the page number does.
            offset: if cursor.is_some() { 0 } else { (page - 1) * limit },
            cursor,
        })
    }

    /// This filter with other values, as a query string (sort links, pages, the CSV).
    fn with(&self, change: impl FnOnce(&mut FilterForm)) -> String {
        let mut form = self.clone();
        change(&mut form);
        let pairs = [
            ("staff", &form.staff),
            ("client", &form.client),
            ("action", &form.action),
            ("outcome", &form.outcome),
            ("from", &form.from),
            ("to", &form.to),
            ("after_hours", &form.after_hours),
            ("sort", &form.sort),
            ("dir", &form.dir),
            ("page", &form.page),
            ("after", &form.after),
            ("before", &form.before),
        ];
        serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
    }

    /// The link that sorts by `column`, turning the direction round if it sorts by it already.
    fn sort_link(&self, column: &str) -> String {
        let current = if self.sort.is_empty() { "time" } else { self.sort.as_str() };
        let dir = if current == column && self.dir != "asc" { "asc" } else { "desc" };
        self.with(|f| {
            f.sort = column.into();
            f.dir = dir.into();
            f.page = String::new();
            (f.after, f.before) = Default::default();
        })
    }

    /// Time order pages by position in the log (`after`/`before` a row shown); the other
    /// orders by page number.
    fn keyset(&self) -> bool {
        !self.after_hours.is_empty() || matches!(self.sort.as_str(), "" | "time")
    }

    /// The links to the pages before and after this one, whose first and last rows are given.
    fn page_links(&self, first: Option<u64>, last: Option<u64>) -> (String, String) {
        let page = self.page_number();
        let previous = self.with(|f| {
            f.page = (page - 1).max(1).to_string();
            (f.after, f.before) = Default::default();
            if page > 2 && self.keyset() {
                f.before = first.map(|s| s.to_string()).unwrap_or_default();
            }
        });
        let next = self.with(|f| {
            f.page = (page + 1).to_string();
            (f.after, f.before) = Default::default();
            if self.keyset() {
                f.after = last.map(|s| s.to_string()).unwrap_or_default();
            }
        });
        (previous, next)
    }

    fn page_number(&self) -> u32 {
        self.page.trim().parse::<u32>().unwrap_or(1).max(1)
    }
}

/// UUID text to bytes, without a UUID crate in the web layer.
mod uuid_text {
    pub(super) struct Id(pub(super) [u8; 16]);

    impl std::str::FromStr for Id {
        type Err = ();
        fn from_str(s: &str) -> Result<Self, ()> {
            let hex: Vec<u8> = s.bytes().filter(|b| *b != b'-').collect();
            if hex.len() != 32 || s.len() != 36 {
                return Err(());
            }
            let mut out = [0u8; 16];
            for (i, pair) in hex.chunks(2).enumerate() {
                let text = std::str::from_utf8(pair).map_err(|_| ())?;
                out[i] = u8::from_str_radix(text, 16).map_err(|_| ())?;
            }
            Ok(Id(out))
        }
    }
}

struct Row {
    when: String,
    who: String,
    role: String,
    action: String,
    crud: &'static str,
    client: String,
    outcome: &'static str,
    outcome_label: &'static str,
    reason: String,
    purpose: String,
    from: String,
    details: String,
    /// The AI request the event is about, whose payload the owner may open.
    ai_request: Option<String>,
    seq: u64,
}

fn row(r: AuditRow, tz: &TimeZone) -> Row {
    let who = match (&r.actor_name, r.actor) {
        (Some(name), _) => name.clone(),
        (None, Some(user)) => format!("account {user}"),
        (None, None) => r.actor_kind.replace('_', " "),
    };
    let ai_request = r.resources.iter().find_map(|r| r.strip_prefix("ai_request:")).map(str::to_owned);
    let mut details = r.resources.join(" ");
    if !r.changed.is_empty() {
        details.push_str(&format!(" (changed: {})", r.changed.join(", ")));
    }
    Row {
        when: crate::when::moment_to_the_second(r.recorded, tz),
        who: if r.actor_kind == "api_token" { format!("{who} (API token)") } else { who },
        role: r.role.unwrap_or_default(),
        action: r.action,
        crud: r.crud,
        client: r.client.unwrap_or_default(),
        outcome: r.outcome,
        outcome_label: OUTCOMES.iter().find(|(c, _)| *c == r.outcome).map_or("", |(_, l)| l),
        reason: r.reason.unwrap_or_default(),
        purpose: r.purpose.unwrap_or_default(),
        from: [r.ip.unwrap_or_default(), r.agent.unwrap_or_default()].join(" ").trim().to_owned(),
        details: details.trim().to_owned(),
        ai_request,
        seq: r.seq,
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    form: FilterForm,
    errors: FieldErrors,
    rows: Vec<Row>,
    staff: Vec<(String, String)>,
    outcomes: [(&'static str, &'static str); 3],
    page: u32,
    more: bool,
    /// The filter without its page, for the CSV and FHIR downloads.
    export_query: String,
    previous_query: String,
    next_query: String,
    sort_time: String,
    sort_actor: String,
    sort_action: String,
    sort_client: String,
    sort_outcome: String,
    retention: AuditRetention,
    retention_error: Option<String>,
    min_years: u32,
    max_years: u32,
}

async fn page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(form): Query<FilterForm>,
) -> Result<Response, PageError> {
    audit_page(&state, &actor, form, None).await
}

/// The page for `form`; `retention_error`: why the retention just asked for was refused.
async fn audit_page(
    state: &AppState,
    actor: &Actor,
    form: FilterForm,
    retention_error: Option<String>,
) -> Result<Response, PageError> {
    let tz = time_zone(state, actor).await?;
    let (status, rows, errors) = match form.to_query(&tz, PAGE_ROWS) {
        Ok(query) => {
            let found = state.haven.audit_trail(actor, &query).await?;
            (StatusCode::OK, found.into_iter().map(|r| row(r, &tz)).collect::<Vec<_>>(), FieldErrors::default())
        }
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), errors),
        Err(e) => return Err(e.into()),
    };
    let status = if retention_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { status };
    let retention = state.haven.audit_retention(actor).await?;
    let staff = state.haven.staff(actor).await?.into_iter().map(|s| (s.user.to_string(), s.display_name)).collect();
    let page = form.page_number();
    let (previous_query, next_query) = form.page_links(rows.first().map(|r| r.seq), rows.last().map(|r| r.seq));
    let audit = AuditPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        // A page read backwards from a cursor has pages after it.
        more: rows.len() as u32 == PAGE_ROWS || !form.before.is_empty(),
        export_query: form.with(|f| {
            f.page = String::new();
            (f.after, f.before) = Default::default();
        }),
        previous_query,
        next_query,
        sort_time: form.sort_link("time"),
        sort_actor: form.sort_link("actor"),
        sort_action: form.sort_link("action"),
        sort_client: form.sort_link("client"),
        sort_outcome: form.sort_link("outcome"),
        page,
        rows,
        errors,
        staff,
        outcomes: OUTCOMES,
        form,
        retention,
        retention_error,
        min_years: MIN_AUDIT_RETENTION_YEARS,
        max_years: MAX_AUDIT_RETENTION_YEARS,
    };
    Ok(render(status, &audit))
}

/// How long the log is kept, and the legal hold, as the owner sets them.
#[derive(Debug, Deserialize)]
struct RetentionForm {
    #[serde(default)]
    years: String,
    #[serde(default)]
    legal_hold: String,
}

async fn set_retention(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<RetentionForm>,
) -> Result<Response, PageError> {
    let refused = |why: String| audit_page(&state, &actor, FilterForm::default(), Some(why));
    let Ok(years) = form.years.trim().parse::<u32>() else {
        return refused("Years must be a whole number.".into()).await;
    };
    match state.haven.set_audit_retention(&actor, years, form.legal_hold == "on").await {
        Ok(()) => Ok(Redirect::to("/audit").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            refused(errors.get("years").map_or_else(String::new, |e| crate::pages::sentence(&format!("years {e}"))))
                .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The whole selection of `form` (every page), for the downloads.
async fn export_query(state: &AppState, actor: &Actor, form: &FilterForm) -> Result<AuditQuery, PageError> {
    let tz = time_zone(state, actor).await?;
    Ok(AuditQuery { offset: 0, cursor: None, ..form.to_query(&tz, EXPORT_ROWS)? })
}

async fn csv(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(form): Query<FilterForm>,
) -> Result<Response, PageError> {
    let query = export_query(&state, &actor, &form).await?;
    let found = state.haven.audit_trail(&actor, &query).await?;
    let mut out = String::from(
        "seq,time,actor_kind,actor,actor_name,role,session,action,crud,client,resources,categories,outcome,reason,purpose,ip,browser,changed\r\n",
    );
    for r in found {
        let fields = [
            r.seq.to_string(),
            r.recorded.to_string(),
            r.actor_kind.to_owned(),
            r.actor.map(|u| u.to_string()).unwrap_or_default(),
            r.actor_name.unwrap_or_default(),
            r.role.unwrap_or_default(),
            r.session.unwrap_or_default(),
            r.action,
            r.crud.to_owned(),
            r.client.unwrap_or_default(),
            r.resources.join(" "),
            r.categories.join(" "),
            r.outcome.to_owned(),
            r.reason.unwrap_or_default(),
            r.purpose.unwrap_or_default(),
            r.ip.unwrap_or_default(),
            r.agent.unwrap_or_default(),
            r.changed.join(" "),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let disposition = "attachment; filename=\"audit-log.csv\"";
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, disposition)], out)
        .into_response())
}

/// The same selection as FHIR R4 AuditEvents (IHE BALP) in a Bundle, with the checkpoint.
async fn fhir(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(form): Query<FilterForm>,
) -> Result<Response, PageError> {
    let query = export_query(&state, &actor, &form).await?;
    let bundle = state.haven.audit_trail_fhir(&actor, &query).await?;
    let disposition = "attachment; filename=\"audit-log.fhir.json\"";
    Ok(([(header::CONTENT_TYPE, "application/fhir+json"), (header::CONTENT_DISPOSITION, disposition)], Json(bundle))
        .into_response())
}

#[derive(Debug, Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
}

/// The newest checkpoint and a consistency proof from the size the browser saw last, for the
/// page script that makes every owner's browser a witness of the log (AUDIT.md §6).
async fn checkpoint(
    State(state): State<AppState>,
    ApiSignedIn(actor): ApiSignedIn,
    Query(Since { since }): Query<Since>,
) -> Result<Response, ApiError> {
    match state.haven.audit_witness(&actor, since).await? {
        Some(witness) => Ok(Json(witness).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_query_in_the_practice_clock() {
        let tz = TimeZone::get("America/Chicago").unwrap_or(TimeZone::UTC);
        let form = FilterForm {
            staff: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            outcome: "denied".into(),
            from: "2026-12-01".into(),
            after_hours: "1".into(),
            sort: "action".into(),
            dir: "asc".into(),
            page: "3".into(),
            ..FilterForm::default()
        };
        let query = form.to_query(&tz, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(query.actor.map(|u| u.to_string()).as_deref(), Some("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert_eq!(query.since.map(|t| t.to_string()).as_deref(), Some("2026-12-01T06:00:00Z"));
        assert!(query.after_hours && !query.descending);
        assert_eq!((query.order, query.offset), (AuditOrder::Action, 200));

        let bad = FilterForm { client: "Jane Doe".into(), outcome: "maybe".into(), ..FilterForm::default() };
        let Err(ServiceError::Invalid(errors)) = bad.to_query(&tz, 10) else { panic!("accepted") };
        assert!(errors.get("client").is_some() && errors.get("outcome").is_some());
    }

    #[test]
    fn time_order_pages_by_position_and_other_orders_by_number() {
        let tz = TimeZone::UTC;
        let third = FilterForm { page: "3".into(), after: "120".into(), ..FilterForm::default() };
        let query = third.to_query(&tz, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((query.cursor, query.offset), (Some(PageCursor::After(120)), 0));
        let (previous, next) = third.page_links(Some(119), Some(20));
        assert_eq!((previous.as_str(), next.as_str()), ("page=2&before=119", "page=4&after=20"));
        let second = FilterForm { page: "2".into(), ..FilterForm::default() };
        assert_eq!(second.page_links(Some(99), Some(0)).0, "page=1", "the first page is the newest");
        let by_action =
            FilterForm { sort: "action".into(), page: "2".into(), after: "7".into(), ..FilterForm::default() };
        assert_eq!(by_action.page_links(Some(5), Some(1)), ("sort=action&page=1".into(), "sort=action&page=3".into()));
        assert_eq!(by_action.to_query(&tz, 100).map(|q| q.offset).ok(), Some(100), "a stray cursor is ignored");
    }

    #[test]
    fn sorting_by_the_same_column_again_turns_it_round() {
        let form = FilterForm { sort: "action".into(), dir: "desc".into(), ..FilterForm::default() };
        assert!(form.sort_link("action").contains("dir=asc"));
        assert!(form.sort_link("time").contains("dir=desc"));
    }
}
