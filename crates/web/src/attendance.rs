//! The attendance page (SC-5): no-show and late-cancellation rates per clinician and per
//! client over a period, drawn as bars beside the figures, and the practice's notice period
//! and fees (the owner's or an administrator's to set).

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Role;
use domain::attendance::{Attendance, FeePolicy, FeePolicyForm};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::ServiceError;
use service::appointments::AttendanceReport;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new().get("/schedule/attendance", show).post("/schedule/attendance/fees", save_fees)
}

const PERIODS: [(i64, &str); 3] = [(30, "30 days"), (90, "90 days"), (365, "12 months")];

#[derive(Template)]
#[template(path = "attendance.html")]
struct AttendancePage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    days: i64,
    periods: [(i64, &'static str); 3],
    report: AttendanceReport,
    policy: FeePolicy,
    may_set_fees: bool,
    form: FeePolicyForm,
    errors: FieldErrors,
    notice: Option<String>,
    error: Option<String>,
}

impl AttendancePage {
    fn percent(&self, a: &Attendance) -> String {
        format!("{:.0}%", a.no_show_rate())
    }

    /// The bar's length out of 100; a rate above zero is always visible.
    fn width(&self, a: &Attendance) -> String {
        match a.no_show_rate() {
            0.0 => "0".to_owned(),
            rate => format!("{:.1}", rate.max(2.0)),
        }
    }
}

#[derive(Deserialize)]
struct Period {
    days: Option<i64>,
}

async fn page(state: &AppState, actor: &service::Actor, days: i64) -> Result<AttendancePage, PageError> {
    let days = PERIODS.iter().map(|(d, _)| *d).find(|d| *d == days).unwrap_or(90);
    let policy = state.haven.fee_policy(actor).await?;
    Ok(AttendancePage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "attendance",
        days,
        periods: PERIODS,
        report: state.haven.attendance(actor, days).await?,
        form: FeePolicyForm::of(&policy),
        policy,
        may_set_fees: matches!(actor.role(), Role::Owner | Role::Administrator),
        errors: FieldErrors::default(),
        notice: None,
        error: None,
    })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(period): Query<Period>,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor, period.days.unwrap_or(90)).await?))
}

async fn save_fees(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<FeePolicyForm>,
) -> Result<Response, PageError> {
    match state.haven.save_fee_policy(&actor, &form).await {
        Ok(_) => {
            let mut page = page(&state, &actor, 90).await?;
            page.notice = Some("Saved.".into());
            Ok(render(StatusCode::OK, &page))
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor, 90).await?;
            page.form = form;
            page.errors = errors;
            page.error = Some("Not saved: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
