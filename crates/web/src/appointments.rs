//! A clinician's day (SC-1): the appointments on it with what became of each, and the form
//! that books one. Double-bookings come back listed, to book anyway by an explicit choice the
//! audit log keeps. The service decides who books whose calendar and whom.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::appointment::{AppointmentForm, Modality, OutcomeForm, Scope, Status};
use domain::validation::FieldErrors;
use domain::{Role, UserId};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use service::appointments::{AppointmentView, Booking, Clash, MoveTo, Waiting};
use service::{Actor, ClinicianCalendar, ServiceError};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule/day", day)
        .get("/schedule/week", week)
        .get("/schedule/practice", practice_day)
        .post("/schedule/appointments", book)
        .post("/schedule/appointments/{id}/outcome", close)
        .post("/schedule/appointments/{id}/move", move_to)
        .post("/schedule/appointments/{id}/note", session_note)
        .post("/schedule/appointments/{id}/end-series", end_series)
        .post("/schedule/appointments/{id}/waitlist/{wish}", from_waitlist)
}

#[derive(Template)]
#[template(path = "day.html")]
struct DayPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    /// (id, name) of every clinician with a calendar; the one shown.
    clinicians: Vec<(String, String)>,
    clinician: String,
    date: String,
    zone: TimeZone,
    appointments: Vec<AppointmentView>,
    /// Why the day's video sessions have no link, when they have none.
    video_closed: Option<&'static str>,
    /// The practice's notice period and fees, said beside the outcomes.
    fees: String,
    /// The waiting clients each cancelled session's time fits, by appointment id.
    openings: std::collections::HashMap<String, Vec<Waiting>>,
    types: Vec<(String, String, u32)>,
    modalities: &'static [Modality],
    /// The rooms in use: (id, name).
    offices: Vec<(String, String)>,
    outcomes: [Status; 4],
    scopes: &'static [Scope],
    repeats: [(&'static str, &'static str); 4],
    templates: Vec<domain::notes::Template>,
    /// The booking form as typed, its errors, the clashes waiting for an override.
    form: Booked,
    errors: FieldErrors,
    clashes: Vec<Clash>,
    /// The appointment whose move waits for an override, with its overlaps.
    moving: Option<(String, Vec<Clash>)>,
    notice: Option<String>,
    error: Option<String>,
}

/// The practice's rooms in use: (id, name).
async fn rooms_in_use(state: &AppState, actor: &Actor) -> Result<Vec<(String, String)>, PageError> {
    let rooms = state.haven.rooms(actor).await?;
    Ok(rooms.into_iter().filter(|r| r.archived_at.is_none()).map(|r| (r.id, r.name)).collect())
}

/// A clock time as the schedule pages show it, in the practice's zone.
fn clock(at: &jiff::Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%-I:%M %p").to_string()
}

/// Who a session is with: the names the viewer may see, "A client" for the others.
fn with_whom(a: &AppointmentView) -> String {
    let names: Vec<String> = a
        .clients
        .iter()
        .map(|(_, n)| n.as_ref().map_or_else(|| "A client".to_owned(), |n| n.expose().clone()))
        .collect();
    names.join(", ")
}

/// Field errors in one sentence, for a form in a table row that has no room beside its fields.
fn in_words(errors: &FieldErrors) -> String {
    errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// The clinician whose calendar is shown: the one asked for, else one's own (clinicians and
/// supervisors), else the first calendar.
fn shown_clinician(actor: &Actor, calendars: &[ClinicianCalendar], asked: Option<UserId>) -> Option<UserId> {
    let own = matches!(actor.role(), Role::Clinician | Role::Supervisor).then(|| actor.user());
    asked.or(own).or_else(|| calendars.first().map(|c| c.user))
}

impl DayPage {
    fn time(&self, at: &jiff::Timestamp) -> String {
        clock(at, &self.zone)
    }

    /// A session's length in minutes, as the move form suggests it.
    fn minutes(&self, a: &AppointmentView) -> i64 {
        a.ends_at.duration_since(a.starts_at).as_mins()
    }

    /// A day and time, for overlaps that may be on another day (a series').
    fn moment(&self, at: &jiff::Timestamp) -> String {
        at.to_zoned(self.zone.clone()).strftime("%a %b %-d, %-I:%M %p").to_string()
    }

    /// The overlaps a move of `id` waits on (empty unless it was refused for them).
    fn move_clashes(&self, id: &str) -> &[Clash] {
        self.moving.as_ref().filter(|(m, _)| m == id).map_or(&[], |(_, c)| c.as_slice())
    }

    fn clients(&self, a: &AppointmentView) -> String {
        with_whom(a)
    }

    fn waiting_for(&self, id: &str) -> &[Waiting] {
        self.openings.get(id).map_or(&[], Vec::as_slice)
    }
}

/// The booking form as typed, with the client typed in the search box's way.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct Booked {
    #[serde(default)]
    appointment_type: String,
    #[serde(default)]
    clinician: String,
    #[serde(default)]
    client: String,
    /// The other clients of a couple's, family's or group session, one per line.
    #[serde(default)]
    with_client: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    modality: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    sessions: String,
    #[serde(default)]
    override_conflicts: Option<String>,
}

#[derive(Deserialize)]
struct Which {
    clinician: Option<String>,
    date: Option<String>,
    booked: Option<String>,
    moved: Option<String>,
    /// A time and appointment type to fill the booking form with (from the next free slot).
    time: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    clinician: Option<UserId>,
    date: Option<Date>,
) -> Result<DayPage, PageError> {
    let calendars = state.haven.calendars(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let date = match date {
        Some(d) => d,
        None => state.haven.today(actor).await?,
    };
    let clinician = shown_clinician(actor, &calendars, clinician);
    let appointments = match clinician {
        Some(user) => state.haven.day_of(actor, user, date).await?,
        None => Vec::new(),
    };
    let types = state
        .haven
        .appointment_types(actor)
        .await?
        .into_iter()
        .filter(|t| t.archived_at.is_none())
        .map(|t| (t.id.to_string(), t.spec.name, t.spec.minutes))
        .collect();
    let openings = state.haven.openings(actor, &appointments).await?;
    let video_closed = match appointments.iter().any(|a| a.modality == Modality::Telehealth) {
        true => state.haven.video_closed_for(actor).await?,
        false => None,
    };
    let clinician = clinician.map(|u| u.to_string()).unwrap_or_default();
    Ok(DayPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "day",
        clinicians: calendars.into_iter().map(|c| (c.user.to_string(), c.name)).collect(),
        form: Booked { clinician: clinician.clone(), date: date.to_string(), ..Booked::default() },
        clinician,
        date: date.to_string(),
        zone,
        appointments,
        video_closed,
        openings,
        fees: state.haven.fee_policy(actor).await?.describe(),
        offices: rooms_in_use(state, actor).await?,
        types,
        modalities: Modality::ALL,
        outcomes: [Status::Attended, Status::Cancelled, Status::LateCancelled, Status::NoShow],
        scopes: Scope::ALL,
        repeats: domain::appointment::REPEATS,
        templates: state.haven.note_templates(actor).await?,
        errors: FieldErrors::default(),
        clashes: Vec::new(),
        moving: None,
        notice: None,
        error: None,
    })
}

async fn day(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(which): Query<Which>,
) -> Result<Response, PageError> {
    let clinician = which.clinician.as_deref().and_then(|c| c.parse().ok());
    let date = which.date.as_deref().and_then(|d| d.parse().ok());
    let mut page = page(&state, &actor, clinician, date).await?;
    if which.booked.is_some() {
        page.notice = Some("Booked.".into());
    }
    page.form.time = which.time.unwrap_or_default();
    page.form.appointment_type = which.kind.unwrap_or_default();
    Ok(render(StatusCode::OK, &page))
}

/// The other clients of a joint session, one per line, each found the search box's way and
/// none of them `first` or named twice.
async fn others(
    state: &AppState,
    actor: &Actor,
    typed: &str,
    first: Option<domain::ClientId>,
) -> Result<Vec<domain::ClientId>, ServiceError> {
    let mut found = Vec::new();
    for line in typed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let one = state.haven.the_one_client(actor, line, first, "with_client").await?;
        if found.contains(&one) {
            let mut errors = FieldErrors::default();
            errors.add("with_client", format!("names one client twice (“{line}”)"));
            return Err(ServiceError::Invalid(errors));
        }
        found.push(one);
    }
    Ok(found)
}

async fn book(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(typed): Form<Booked>,
) -> Result<Response, PageError> {
    let clinician: Option<UserId> = typed.clinician.parse().ok();
    let date: Option<Date> = typed.date.parse().ok();
    let client = state.haven.the_one_client(&actor, &typed.client, None, "client").await;
    let with_clients = others(&state, &actor, &typed.with_client, client.as_ref().ok().copied()).await;
    let client = match (client, with_clients) {
        (Ok(one), Ok(more)) => Ok(std::iter::once(one).chain(more).collect::<Vec<_>>()),
        (Err(ServiceError::Invalid(mut a)), Err(ServiceError::Invalid(b))) => {
            b.iter().for_each(|e| a.add(e.field, e.message.clone()));
            Err(ServiceError::Invalid(a))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let form = AppointmentForm {
        appointment_type: typed.appointment_type.clone(),
        clinician: typed.clinician.clone(),
        clients: client.as_ref().map(|c| c.iter().map(ToString::to_string).collect()).unwrap_or_default(),
        date: typed.date.clone(),
        time: typed.time.clone(),
        minutes: typed.minutes.clone(),
        modality: typed.modality.clone(),
        office: typed.office.clone(),
        repeat: typed.repeat.clone(),
        sessions: typed.sessions.clone(),
        override_conflicts: typed.override_conflicts.is_some(),
    };
    let (status, errors, clashes, error) = match (client, state.haven.book_appointment(&actor, &form).await) {
        (Ok(_), Ok(Booking::Booked { notice: None, .. })) => {
            let to = format!("/schedule/day?clinician={}&date={}&booked=1", typed.clinician, typed.date);
            return Ok(Redirect::to(&to).into_response());
        }
        // A start the clocks skipped was moved: say so on the day itself.
        (Ok(_), Ok(Booking::Booked { notice: Some(notice), .. })) => {
            let mut page = page(&state, &actor, clinician, date).await?;
            page.notice = Some(format!("Booked. {notice}"));
            return Ok(render(StatusCode::OK, &page));
        }
        (Ok(_), Ok(Booking::Conflicts(clashes))) => (
            StatusCode::CONFLICT,
            FieldErrors::default(),
            clashes,
            "Not booked: it overlaps other appointments. Book anyway only if that is meant.",
        ),
        (Err(ServiceError::Invalid(mut found)), other) => {
            if let Err(ServiceError::Invalid(more)) = other {
                more.iter().filter(|e| e.field != "clients").for_each(|e| found.add(e.field, e.message.clone()));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, found, Vec::new(), "Not booked: please correct the highlighted fields.")
        }
        (_, Err(ServiceError::Invalid(errors))) => {
            // The service counts clients; this form takes one, in its `client` field.
            let mut shown = FieldErrors::default();
            errors
                .iter()
                .for_each(|e| shown.add(if e.field == "clients" { "client" } else { e.field }, e.message.clone()));
            (StatusCode::UNPROCESSABLE_ENTITY, shown, Vec::new(), "Not booked: please correct the highlighted fields.")
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let mut page = page(&state, &actor, clinician, date).await?;
    page.form = typed;
    page.errors = errors;
    page.clashes = clashes;
    page.error = Some(error.to_owned());
    Ok(render(status, &page))
}

/// What every form in a row of the day carries: the row's version, and the clinician and day
/// shown, to show again.
#[derive(Deserialize)]
struct FromRow {
    #[serde(default)]
    version: String,
    #[serde(default)]
    clinician: String,
    #[serde(default)]
    date: String,
}

impl FromRow {
    fn version(&self) -> i64 {
        self.version.trim().parse().unwrap_or(-1)
    }

    /// The day the form came from, as it is now.
    async fn day(&self, state: &AppState, actor: &Actor) -> Result<DayPage, PageError> {
        page(state, actor, self.clinician.parse().ok(), self.date.parse().ok()).await
    }
}

#[derive(Deserialize)]
struct Outcome {
    #[serde(flatten)]
    row: FromRow,
    #[serde(flatten)]
    form: OutcomeForm,
}

async fn close(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(outcome): Form<Outcome>,
) -> Result<Response, PageError> {
    let back = format!("/schedule/day?clinician={}&date={}", outcome.row.clinician, outcome.row.date);
    match state.haven.close_appointment(&actor, &id, outcome.row.version(), &outcome.form).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = outcome.row.day(&state, &actor).await?;
            let why = in_words(&errors);
            page.error = Some(format!("Not recorded: the {why}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Move {
    #[serde(flatten)]
    row: FromRow,
    #[serde(default)]
    to_date: String,
    #[serde(default)]
    to_time: String,
    /// Empty: the length it has.
    #[serde(default)]
    to_minutes: String,
    /// For a series' session: this one, this and following, or all upcoming.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    override_conflicts: Option<String>,
    /// "week" when dragged on the week: a move goes back to the week.
    #[serde(default)]
    view: String,
}

/// Moves an appointment; overlaps come back beside it, to move anyway on purpose.
async fn move_to(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(moved): Form<Move>,
) -> Result<Response, PageError> {
    let to = MoveTo { date: &moved.to_date, time: &moved.to_time, minutes: &moved.to_minutes };
    let scope = moved.scope.parse().unwrap_or(Scope::This);
    let answer =
        state.haven.move_series(&actor, &id, moved.row.version(), to, scope, moved.override_conflicts.is_some()).await;
    if moved.view == "week" && matches!(answer, Ok(Booking::Booked { notice: None, .. })) {
        let to = format!("/schedule/week?clinician={}&date={}&moved=1", moved.row.clinician, moved.to_date);
        return Ok(Redirect::to(&to).into_response());
    }
    // Moved, the page shows the day it went to; refused, the day it was on.
    let shown = match &answer {
        Ok(Booking::Booked { .. }) => &moved.to_date,
        _ => &moved.row.date,
    };
    let mut page = page(&state, &actor, moved.row.clinician.parse().ok(), shown.parse().ok()).await?;
    let status = match answer {
        Ok(Booking::Booked { notice, .. }) => {
            page.notice = Some(notice.map_or_else(|| "Moved.".to_owned(), |n| format!("Moved. {n}")));
            StatusCode::OK
        }
        Ok(Booking::Conflicts(clashes)) => {
            page.error =
                Some("Not moved: the new time overlaps other appointments. Move anyway only if that is meant.".into());
            page.moving = Some((id, clashes));
            StatusCode::CONFLICT
        }
        Err(ServiceError::Invalid(errors)) => {
            let why = in_words(&errors);
            page.error = Some(format!("Not moved: the {why}."));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(status, &page))
}

/// Takes a session and the rest of its series off the calendar.
async fn end_series(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(row): Form<FromRow>,
) -> Result<Response, PageError> {
    let removed = state.haven.end_series(&actor, &id, row.version()).await?;
    let mut page = row.day(&state, &actor).await?;
    page.notice = Some(match removed {
        1 => "The series ends here: 1 session was taken off the calendar.".to_owned(),
        n => format!("The series ends here: {n} sessions were taken off the calendar."),
    });
    Ok(render(StatusCode::OK, &page))
}

/// Books a waiting client into the time a cancelled session freed.
async fn from_waitlist(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, wish)): Path<(String, String)>,
    Form(row): Form<FromRow>,
) -> Result<Response, PageError> {
    let answer = state.haven.book_from_waitlist(&actor, &wish, &id).await;
    let mut page = row.day(&state, &actor).await?;
    let status = match answer {
        Ok(Booking::Booked { .. }) => {
            page.notice = Some("Booked from the waitlist.".into());
            StatusCode::OK
        }
        Ok(Booking::Conflicts(_)) => {
            page.error =
                Some("Not booked: the client has another session then. Book by hand to overlap on purpose.".into());
            StatusCode::CONFLICT
        }
        Err(ServiceError::Conflict(why)) => {
            page.error = Some(format!("Not booked: {why}."));
            StatusCode::CONFLICT
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoteTemplate {
    #[serde(default)]
    template: String,
}

/// Opens the session's note: the one started from the appointment, or a new draft.
async fn session_note(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(chosen): Form<NoteTemplate>,
) -> Result<Response, PageError> {
    let (client, note) = state.haven.note_for_appointment(&actor, &id, &chosen.template).await?;
    Ok(Redirect::to(&format!("/clients/{client}/notes/{note}")).into_response())
}

#[derive(Template)]
#[template(path = "week.html")]
struct WeekPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    clinicians: Vec<(String, String)>,
    clinician: String,
    /// Monday of the week shown, and the Mondays before and after.
    monday: Date,
    previous: Date,
    next: Date,
    /// Each day of the week with its appointments.
    days: Vec<(Date, Vec<AppointmentView>)>,
    zone: TimeZone,
    notice: Option<String>,
}

impl WeekPage {
    fn time(&self, at: &jiff::Timestamp) -> String {
        clock(at, &self.zone)
    }

    /// The local start as a move form takes it (24-hour).
    fn wall(&self, at: &jiff::Timestamp) -> String {
        at.to_zoned(self.zone.clone()).strftime("%H:%M").to_string()
    }

    /// "Clocks change: EST → EDT" on a day the practice's clocks change, else nothing.
    fn clock_change(&self, day: &Date) -> Option<String> {
        let at = |d: Date| d.to_zoned(self.zone.clone()).ok();
        let (start, end) = (at(*day)?, at(day.tomorrow().ok()?)?);
        (start.offset() != end.offset())
            .then(|| format!("Clocks change: {} → {}", start.strftime("%Z"), end.strftime("%Z")))
    }

    fn heading(&self, day: &Date) -> String {
        day.strftime("%a %b %-d").to_string()
    }

    fn clients(&self, a: &AppointmentView) -> String {
        with_whom(a)
    }
}

/// A clinician's week, Monday to Sunday in the practice's zone, one audited read.
async fn week(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(which): Query<Which>,
) -> Result<Response, PageError> {
    let calendars = state.haven.calendars(&actor).await?;
    let zone = crate::sign_ins::time_zone(&state, &actor).await?;
    let day = match which.date.as_deref().and_then(|d| d.parse::<Date>().ok()) {
        Some(d) => d,
        None => state.haven.today(&actor).await?,
    };
    let monday = day.saturating_sub(jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset())));
    let clinician = shown_clinician(&actor, &calendars, which.clinician.as_deref().and_then(|c| c.parse().ok()));
    let appointments = match clinician {
        Some(user) => state.haven.days_of(&actor, user, monday, 7).await?,
        None => Vec::new(),
    };
    let days = (0..7)
        .map(|n| {
            let date = monday.saturating_add(jiff::Span::new().days(n));
            let on: Vec<AppointmentView> =
                appointments.iter().filter(|a| a.starts_at.to_zoned(zone.clone()).date() == date).cloned().collect();
            (date, on)
        })
        .collect();
    let page = WeekPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "week",
        clinicians: calendars.into_iter().map(|c| (c.user.to_string(), c.name)).collect(),
        clinician: clinician.map(|u| u.to_string()).unwrap_or_default(),
        previous: monday.saturating_sub(jiff::Span::new().days(7)),
        next: monday.saturating_add(jiff::Span::new().days(7)),
        monday,
        days,
        zone,
        notice: which.moved.is_some().then(|| "Moved.".to_owned()),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "practice_day.html")]
struct PracticeDayPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    date: Date,
    previous: Date,
    next: Date,
    /// "" for everything, a modality's stored name, or "room:" and a room's name.
    place: String,
    modalities: &'static [Modality],
    /// The rooms in use, by name.
    offices: Vec<String>,
    /// Each clinician with a calendar (id, name) and their sessions that day.
    columns: Vec<(String, String, Vec<AppointmentView>)>,
    zone: TimeZone,
}

impl PracticeDayPage {
    fn time(&self, at: &jiff::Timestamp) -> String {
        clock(at, &self.zone)
    }

    fn clients(&self, a: &AppointmentView) -> String {
        with_whom(a)
    }
}

#[derive(Deserialize)]
struct PracticeDay {
    date: Option<String>,
    #[serde(rename = "where")]
    place: Option<String>,
}

/// Every clinician's day side by side, in person, by video or both: one audited read.
async fn practice_day(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(which): Query<PracticeDay>,
) -> Result<Response, PageError> {
    let calendars = state.haven.calendars(&actor).await?;
    let zone = crate::sign_ins::time_zone(&state, &actor).await?;
    let date = match which.date.as_deref().and_then(|d| d.parse::<Date>().ok()) {
        Some(d) => d,
        None => state.haven.today(&actor).await?,
    };
    let place = which.place.unwrap_or_default();
    let mut appointments = state.haven.practice_days(&actor, date, 1).await?;
    match (place.strip_prefix("room:"), place.parse::<Modality>()) {
        (Some(room), _) => appointments.retain(|a| a.office.as_deref() == Some(room)),
        (None, Ok(modality)) => appointments.retain(|a| a.modality == modality),
        (None, Err(_)) => {}
    }
    let columns = calendars
        .into_iter()
        .map(|c| {
            let theirs = appointments.iter().filter(|a| a.clinician == c.user).cloned().collect();
            (c.user.to_string(), c.name, theirs)
        })
        .collect();
    let page = PracticeDayPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "practice",
        previous: date.yesterday().unwrap_or(date),
        next: date.tomorrow().unwrap_or(date),
        date,
        place,
        modalities: Modality::ALL,
        offices: rooms_in_use(&state, &actor).await?.into_iter().map(|(_, name)| name).collect(),
        columns,
        zone,
    };
    Ok(render(StatusCode::OK, &page))
}
