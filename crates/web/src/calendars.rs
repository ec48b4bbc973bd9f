//! Clinicians' calendars (working hours, breaks, buffer, offered types, time off) and the
//! next-free-slot search over them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::calendar::{BREAKS_FIELDS, CalendarForm, HOURS_FIELDS, TimeOffForm};
use domain::validation::FieldErrors;
use domain::{AppointmentTypeId, TimeOffId, UserId};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use service::{Actor, AppointmentTypeRecord, MAX_SEARCH_WEEKS, ServiceError, SlotQuery};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::stale::{Field, differences};
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/schedule", || async { Redirect::to("/schedule/calendars") })
        .get("/schedule/calendars", list)
        .get("/schedule/calendars/{user}", edit)
        .post("/schedule/calendars/{user}", save)
        .post("/schedule/calendars/{user}/time-off", add_time_off)
        .post("/schedule/calendars/{user}/time-off/{id}/remove", remove_time_off)
        .get("/schedule/next-slot", next_slot)
        .get("/schedule/test-room", test_room)
}

const DAY_LABELS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// How a moment reads on these pages, in the zone it belongs to.
fn when(at: Timestamp, zone: &TimeZone) -> String {
    crate::when::moment(at, zone)
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

// --- the list

struct CalendarRow {
    id: String,
    name: String,
    role: &'static str,
    zone: String,
    /// "Mon 09:00-12:00, 13:00-17:00", one line per working day.
    week: Vec<String>,
    buffer: u32,
    /// (name, colour) of each type offered.
    offers: Vec<(String, &'static str)>,
    time_off: Vec<String>,
    editable: bool,
}

#[derive(Template)]
#[template(path = "calendars.html")]
struct ListPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    calendars: Vec<CalendarRow>,
    notice: Option<String>,
    /// The video server, and whether its links carry room tokens.
    video_server: String,
    room_tokens: bool,
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(q): Query<Saved>,
) -> Result<Response, PageError> {
    let types = state.haven.appointment_types(&actor).await?;
    let calendars = state.haven.calendars(&actor).await?;
    let rows: Vec<CalendarRow> = calendars
        .into_iter()
        .map(|c| {
            let s = &c.settings;
            let tz = zone(s.time_zone.as_str());
            CalendarRow {
                id: c.user.to_string(),
                role: c.role.label(),
                zone: s.time_zone.to_string(),
                week: (0..7)
                    .filter(|i| !s.hours.day(*i).is_empty())
                    .map(|i| {
                        let breaks = s.breaks.day_text(i);
                        let breaks = if breaks.is_empty() { String::new() } else { format!(" (break {breaks})") };
                        format!("{} {}{breaks}", &DAY_LABELS[i][..3], s.hours.day_text(i))
                    })
                    .collect(),
                buffer: s.buffer_minutes,
                offers: types
                    .iter()
                    .filter(|t| s.offers.contains(&t.id) && t.archived_at.is_none())
                    .map(|t| (t.spec.name.clone(), t.spec.color.name()))
                    .collect(),
                time_off: c
                    .time_off
                    .iter()
                    .map(|t| format!("{} – {}", when(t.starts_at, &tz), when(t.ends_at, &tz)))
                    .collect(),
                editable: c.editable,
                name: c.name,
            }
        })
        .collect();
    let saved = q.saved.as_deref().and_then(|id| rows.iter().find(|r| r.id == id));
    let notice = saved.map(|r| format!("Saved the calendar of {}.", r.name));
    let (video_server, room_tokens) = state.haven.telehealth_server();
    let page = ListPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "calendars",
        calendars: rows,
        notice,
        video_server: video_server.to_owned(),
        room_tokens,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Opens a fresh video room (a new tab, from the page's link) to try the set-up with.
async fn test_room(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(Redirect::to(&state.haven.test_room(&actor)?).into_response())
}

// --- one calendar

struct DayRow {
    label: &'static str,
    hours_field: &'static str,
    breaks_field: &'static str,
    hours: String,
    breaks: String,
    hours_error: Option<String>,
    breaks_error: Option<String>,
}

struct TypeChoice {
    id: String,
    name: String,
    color: &'static str,
    offered: bool,
}

struct TimeOffRow {
    id: String,
    starts: String,
    ends: String,
    label: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct EditPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    id: UserId,
    clinician: String,
    zones: Vec<String>,
    form: CalendarForm,
    days: Vec<DayRow>,
    types: Vec<TypeChoice>,
    time_off: Vec<TimeOffRow>,
    off: TimeOffForm,
    errors: FieldErrors,
    error: Option<String>,
    stale: Vec<String>,
}

fn clinician(user: &str) -> Result<UserId, ServiceError> {
    user.parse().map_err(|_| ServiceError::NotFound)
}

/// What the edit page shows besides the stored calendar: typed values with their errors.
#[derive(Default)]
struct Typed {
    calendar: Option<CalendarForm>,
    time_off: Option<TimeOffForm>,
    errors: FieldErrors,
    error: Option<String>,
    /// The save was stale: `calendar` is what was typed over an older version.
    stale: bool,
}

/// The calendar form's fields as a person reads them, to compare a stale save with the stored one.
fn readable(form: &CalendarForm, types: &[AppointmentTypeRecord]) -> Vec<Field> {
    let mut fields = vec![
        ("Time zone".to_owned(), form.time_zone.clone()),
        ("Buffer (minutes)".to_owned(), form.buffer_minutes.clone()),
    ];
    for (i, day) in DAY_LABELS.iter().enumerate() {
        fields.push((format!("{day} hours"), form.hours[i].clone()));
        fields.push((format!("{day} breaks"), form.breaks[i].clone()));
    }
    let mut offered: Vec<&str> =
        types.iter().filter(|t| form.offers.contains(&t.id.to_string())).map(|t| t.spec.name.as_str()).collect();
    offered.sort_unstable();
    fields.push(("Types offered".to_owned(), offered.join(", ")));
    fields
}

async fn edit_page(
    state: &AppState,
    actor: &Actor,
    user: UserId,
    status: StatusCode,
    typed: Typed,
) -> Result<Response, PageError> {
    let calendar = state.haven.editable_calendar(actor, user).await?;
    let types = state.haven.appointment_types(actor).await?;
    let practice_zone = state.haven.practice(actor).await?.profile.time_zone;
    let stored = CalendarForm::from_settings(&calendar.settings, calendar.version);
    let mut stale = Vec::new();
    let form = match typed.calendar {
        Some(mut mine) if typed.stale => {
            stale = differences(&readable(&stored, &types), &readable(&mine, &types));
            mine.version = stored.version;
            mine
        }
        Some(mine) => mine,
        None => stored,
    };
    let tz = zone(calendar.settings.time_zone.as_str());
    let errors = typed.errors;
    let days = (0..7)
        .map(|i| DayRow {
            label: DAY_LABELS[i],
            hours_field: HOURS_FIELDS[i],
            breaks_field: BREAKS_FIELDS[i],
            hours: form.hours[i].clone(),
            breaks: form.breaks[i].clone(),
            hours_error: errors.get(HOURS_FIELDS[i]).map(str::to_owned),
            breaks_error: errors.get(BREAKS_FIELDS[i]).map(str::to_owned),
        })
        .collect();
    let page = EditPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "calendars",
        id: user,
        clinician: calendar.name.clone(),
        zones: crate::pages::zones_first(practice_zone.as_str()),
        types: types
            .iter()
            .filter(|t| t.archived_at.is_none())
            .map(|t| TypeChoice {
                id: t.id.to_string(),
                name: t.spec.name.clone(),
                color: t.spec.color.name(),
                offered: form.offers.contains(&t.id.to_string()),
            })
            .collect(),
        days,
        form,
        time_off: calendar
            .time_off
            .iter()
            .map(|t| TimeOffRow {
                id: t.id.to_string(),
                starts: when(t.starts_at, &tz),
                ends: when(t.ends_at, &tz),
                label: t.label.clone().unwrap_or_default(),
            })
            .collect(),
        off: typed.time_off.unwrap_or_default(),
        errors,
        error: typed.error,
        stale,
    };
    Ok(render(status, &page))
}

async fn edit(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
) -> Result<Response, PageError> {
    edit_page(&state, &actor, clinician(&user)?, StatusCode::OK, Typed::default()).await
}

async fn save(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let user = clinician(&user)?;
    let form = CalendarForm::from_fields(fields);
    match state.haven.save_calendar(&actor, user, &form).await {
        // The id, never the name, goes into the URL.
        Ok(_) => Ok(Redirect::to(&format!("/schedule/calendars?saved={user}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let typed = Typed { calendar: Some(form), errors, ..Typed::default() };
            edit_page(&state, &actor, user, StatusCode::UNPROCESSABLE_ENTITY, typed).await
        }
        // Someone saved first: keep what was typed and show what they saved beside it.
        Err(e @ ServiceError::Conflict(_)) => {
            let error = Some(crate::stale::kept(&e.to_string()));
            let typed = Typed { calendar: Some(form), error, stale: true, ..Typed::default() };
            edit_page(&state, &actor, user, StatusCode::CONFLICT, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_time_off(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(user): Path<String>,
    Form(form): Form<TimeOffForm>,
) -> Result<Response, PageError> {
    let user = clinician(&user)?;
    match state.haven.add_time_off(&actor, user, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/schedule/calendars/{user}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let typed = Typed { time_off: Some(form), errors, ..Typed::default() };
            edit_page(&state, &actor, user, StatusCode::UNPROCESSABLE_ENTITY, typed).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_time_off(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((user, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let user = clinician(&user)?;
    let id: TimeOffId = id.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.remove_time_off(&actor, user, id).await?;
    Ok(Redirect::to(&format!("/schedule/calendars/{user}")).into_response())
}

// --- the next free slot

#[derive(Deserialize, Default)]
struct SlotForm {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    clinician: String,
    #[serde(default)]
    weeks: String,
}

struct Found {
    day: String,
    time: String,
    clinician: String,
    /// The same time in the practice's zone, when the clinician's is another.
    practice_time: Option<String>,
    /// The clinician's day with the booking form filled in for this slot.
    book: String,
}

#[derive(Template)]
#[template(path = "next_slot.html")]
struct SlotPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    tab: &'static str,
    /// (id, name) of each bookable type and of each clinician.
    types: Vec<(String, String)>,
    clinicians: Vec<(String, String)>,
    query: SlotForm,
    max_weeks: u32,
    searched: bool,
    /// The slots to offer, earliest first (the first is the next free one).
    found: Vec<Found>,
    error: Option<String>,
}

async fn next_slot(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(mut query): Query<SlotForm>,
) -> Result<Response, PageError> {
    let types: Vec<(String, String)> = state
        .haven
        .appointment_types(&actor)
        .await?
        .into_iter()
        .filter(|t| t.archived_at.is_none())
        .map(|t| (t.id.to_string(), t.spec.name))
        .collect();
    let clinicians: Vec<(String, String)> =
        state.haven.calendars(&actor).await?.into_iter().map(|c| (c.user.to_string(), c.name)).collect();
    let searched = !query.kind.is_empty();
    if query.weeks.trim().is_empty() {
        query.weeks = "8".into();
    }
    let (mut found, mut error, mut status) = (Vec::new(), None, StatusCode::OK);
    if searched {
        match search(&state, &actor, &query).await {
            Ok(slots) => found = slots,
            Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_) | ServiceError::NotFound)) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                error = Some(match e {
                    ServiceError::Invalid(errors) => sentence(&errors.to_string()),
                    ServiceError::NotFound => "Choose an appointment type and a clinician from the lists.".into(),
                    other => sentence(&other.to_string()),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = SlotPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        tab: "slot",
        types,
        clinicians,
        query,
        max_weeks: MAX_SEARCH_WEEKS,
        searched,
        found,
        error,
    };
    Ok(render(status, &page))
}

/// How many slots the page offers: enough to give someone a choice on the phone.
const SLOTS_OFFERED: usize = 6;

async fn search(state: &AppState, actor: &Actor, form: &SlotForm) -> Result<Vec<Found>, ServiceError> {
    let appointment_type: AppointmentTypeId = form.kind.parse().map_err(|_| ServiceError::NotFound)?;
    let clinician = match form.clinician.trim() {
        "" => None,
        id => Some(clinician(id)?),
    };
    let weeks = form.weeks.trim().parse().unwrap_or(0);
    let query = SlotQuery { appointment_type, clinician, weeks };
    let slots = state.haven.free_slots(actor, query, SLOTS_OFFERED).await?;
    let practice_zone = zone(state.haven.practice(actor).await?.profile.time_zone.as_str());
    Ok(slots
        .into_iter()
        .map(|slot| {
            let (start, end) = (slot.start.to_zoned(slot.zone.clone()), slot.end.to_zoned(slot.zone.clone()));
            let same_offset = practice_zone.to_offset(slot.start) == slot.zone.to_offset(slot.start);
            // The booking form reads its date and time in the practice's zone.
            let here = slot.start.to_zoned(practice_zone.clone());
            let book = format!(
                "/schedule/day?clinician={}&date={}&time={}&type={appointment_type}",
                slot.clinician,
                here.date(),
                here.strftime("%H:%M")
            );
            Found {
                day: start.strftime("%A, %B %-d, %Y").to_string(),
                time: format!("{} – {}", start.strftime("%-I:%M %p"), end.strftime("%-I:%M %p %Z")),
                clinician: slot.name,
                practice_time: (!same_offset).then(|| when(slot.start, &practice_zone)),
                book,
            }
        })
        .collect())
}
