//! Booking a session in the portal: the types open to clients, the openings of the client's care
//! team, and booking one (or asking for it, for a "request" type).

use axum::response::{IntoResponse, Redirect};
use domain::AppointmentTypeId;
use domain::appointment::Modality;
use domain::appointment_type::PortalBooking;
use domain::waitlist::WishForm;
use service::portal::{BookableType, Booked};

use super::*;

pub(super) struct TypeRow {
    id: String,
    name: String,
    minutes: u32,
    asks: bool,
}

#[derive(Template)]
#[template(path = "portal_book.html")]
pub(super) struct BookPage {
    l: PortalLayout,
    types: Vec<TypeRow>,
}

pub(super) struct OpeningRow {
    clinician: String,
    clinician_name: String,
    /// Seconds since the epoch: what the form posts back.
    start: i64,
    day: String,
    time: String,
}

#[derive(Template)]
#[template(path = "portal_openings.html")]
pub(super) struct OpeningsPage {
    l: PortalLayout,
    id: String,
    name: String,
    asks: bool,
    /// The session is to be by video (chosen above the openings), not in person.
    video: bool,
    openings: Vec<OpeningRow>,
    error: Option<String>,
}

with_portal_layout!(BookPage, OpeningsPage);

pub(super) async fn book(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    let types = state.haven.portal_bookable(&actor).await?;
    let row = |t: BookableType| TypeRow {
        id: t.id.to_string(),
        name: t.name,
        minutes: t.minutes,
        asks: t.booking == PortalBooking::Request,
    };
    Ok(render(StatusCode::OK, &BookPage { l: PortalLayout::of(&actor), types: types.into_iter().map(row).collect() }))
}

fn type_id(id: &str) -> Result<AppointmentTypeId, PageError> {
    Ok(id.parse().map_err(|_| ServiceError::NotFound)?)
}

async fn openings_page(
    state: &AppState,
    actor: &PortalActor,
    id: AppointmentTypeId,
    modality: Modality,
) -> Result<OpeningsPage, PageError> {
    let (offered, openings) = state.haven.portal_openings(actor, id).await?;
    let zone = state.haven.portal_zone(actor).await?;
    let openings = openings
        .into_iter()
        .map(|o| OpeningRow {
            clinician: o.clinician.to_string(),
            clinician_name: o.clinician_name,
            start: o.start.as_second(),
            day: o.start.to_zoned(zone.clone()).strftime("%A, %B %-d").to_string(),
            time: format!("{} – {}", when::time(o.start, &zone), when::time(o.end, &zone)),
        })
        .collect();
    Ok(OpeningsPage {
        l: PortalLayout::of(actor),
        id: offered.id.to_string(),
        name: offered.name,
        asks: offered.booking == PortalBooking::Request,
        video: modality == Modality::Telehealth,
        openings,
        error: None,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct How {
    #[serde(default)]
    modality: String,
}

/// In person unless video is asked for.
fn modality(typed: &str) -> Modality {
    if typed == Modality::Telehealth.as_str() { Modality::Telehealth } else { Modality::InPerson }
}

pub(super) async fn openings(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
    Query(how): Query<How>,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &openings_page(&state, &actor, type_id(&id)?, modality(&how.modality)).await?))
}

#[derive(Deserialize)]
pub(super) struct BookForm {
    #[serde(default)]
    clinician: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    modality: String,
}

pub(super) async fn take(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
    Form(form): Form<BookForm>,
) -> Result<Response, PageError> {
    let id = type_id(&id)?;
    let gone = || ServiceError::Conflict("that time is no longer free; choose another".into());
    let clinician = form.clinician.trim().parse().map_err(|_| gone())?;
    let start =
        form.start.trim().parse::<i64>().ok().and_then(|s| jiff::Timestamp::from_second(s).ok()).ok_or_else(gone)?;
    let modality = modality(&form.modality);
    match state.haven.portal_book(&actor, id, clinician, start, modality).await {
        Ok(Booked::Booked) => Ok(Redirect::to("/portal?booked=1").into_response()),
        Ok(Booked::Requested) => Ok(Redirect::to("/portal?requested=1").into_response()),
        Err(ServiceError::Conflict(why)) => {
            let mut page = openings_page(&state, &actor, id, modality).await?;
            page.error = Some(sentence(&why));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "portal_cancel.html")]
pub(super) struct CancelPage {
    l: PortalLayout,
    id: String,
    when: String,
    late: bool,
    notice_hours: u32,
    /// The fee as money (`$50.00`); empty when there is none.
    fee: String,
}

with_portal_layout!(CancelPage);

async fn cancel_page(state: &AppState, actor: &PortalActor, id: &str) -> Result<CancelPage, PageError> {
    let terms = state.haven.portal_cancel_terms(actor, id).await?;
    let zone = state.haven.portal_zone(actor).await?;
    let when = terms.starts_at.to_zoned(zone).strftime("%A, %B %-d at %-I:%M %p").to_string();
    let fee = match terms.fee_cents {
        0 => String::new(),
        cents => format!("${}.{:02}", cents / 100, cents % 100),
    };
    Ok(CancelPage {
        l: PortalLayout::of(actor),
        id: id.to_owned(),
        when,
        late: terms.late,
        notice_hours: terms.notice_hours,
        fee,
    })
}

pub(super) async fn cancel_form(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &cancel_page(&state, &actor, &id).await?))
}

/// Withdraws a request the client made; back home.
pub(super) async fn withdraw(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.portal_withdraw_request(&actor, &id).await?;
    Ok(Redirect::to("/portal?withdrawn=1").into_response())
}

pub(super) async fn cancel(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    state.haven.portal_cancel(&actor, &id).await?;
    Ok(Redirect::to("/portal?cancelled=1").into_response())
}

#[derive(Template)]
#[template(path = "portal_waitlist.html")]
pub(super) struct WaitlistPage {
    l: PortalLayout,
    /// When the client joined, if they wait.
    since: Option<String>,
    form: WishForm,
    errors: FieldErrors,
    error: Option<String>,
    weekdays: &'static [(jiff::civil::Weekday, &'static str, &'static str)],
}

with_portal_layout!(WaitlistPage);

impl WaitlistPage {
    fn ticked(&self, day: &str) -> bool {
        self.form.weekdays.iter().any(|d| d == day)
    }
}

async fn waitlist_page(state: &AppState, actor: &PortalActor, form: WishForm) -> Result<WaitlistPage, PageError> {
    let zone = state.haven.portal_zone(actor).await?;
    let since = state.haven.portal_waiting_since(actor).await?.map(|at| when::date(at, &zone));
    Ok(WaitlistPage {
        l: PortalLayout::of(actor),
        since,
        form,
        errors: FieldErrors::default(),
        error: None,
        weekdays: &domain::waitlist::WEEKDAYS,
    })
}

pub(super) async fn waitlist(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
) -> Result<Response, PageError> {
    let form = WishForm { clinician: "mine".into(), ..WishForm::default() };
    Ok(render(StatusCode::OK, &waitlist_page(&state, &actor, form).await?))
}

pub(super) async fn join_waitlist(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| posted.iter().find(|(k, _)| k == name).map_or_else(String::new, |(_, v)| v.clone());
    let form = WishForm {
        client: String::new(),
        clinician: field("clinician"),
        weekdays: posted.iter().filter(|(k, _)| k == "weekdays").map(|(_, v)| v.clone()).collect(),
        earliest: field("earliest"),
        latest: field("latest"),
        modality: field("modality"),
    };
    match state.haven.portal_join_waitlist(&actor, &form).await {
        Ok(()) => Ok(Redirect::to("/portal/waitlist").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = waitlist_page(&state, &actor, form).await?;
            page.errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(ServiceError::Conflict(why)) => {
            let mut page = waitlist_page(&state, &actor, form).await?;
            page.error = Some(sentence(&why));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}
