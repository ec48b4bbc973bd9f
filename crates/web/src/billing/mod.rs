//! Billing's pages: the charges of a period with each one's place on the golden
//! thread, making charges from attended sessions, sending the ready ones as an 837P batch and
//! downloading a batch; the set-up page is `setup`'s.

mod acknowledgements;
mod cards;
mod eligibility;
pub(crate) mod ledger;
pub(crate) use eligibility::{Said, said};
mod remittances;
mod reports;
mod setup;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::civil::Date;
use serde::Deserialize;
use service::ServiceError;
use service::billing::{BatchSent, Charge, Claimed, Correction, LaterInsurer, Readiness};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    reports::routes(Routes::new())
        .get("/billing", charges_page)
        .post("/billing/charges", make_charges)
        .post("/billing/claims", send_claims)
        .post("/billing/claims/{number}/replace", replace_claim)
        .post("/billing/claims/{number}/void", void_claim)
        .post("/billing/claims/{number}/secondary", bill_secondary)
        .post("/billing/charges/{id}/ai", ask_ai)
        .get("/billing/batches/{id}", download_batch)
        .post("/billing/batches/{id}/submit", submit_batch)
        .post("/billing/clearinghouse", acknowledgements::check)
        .get("/billing/superbill/{id}", superbill)
        .get("/billing/remittances", remittances::list)
        .post("/billing/remittances", remittances::import)
        .post("/billing/denials/{number}/ai", remittances::explain)
        .get("/billing/acknowledgements", acknowledgements::list)
        .post("/billing/acknowledgements", acknowledgements::import)
        .get("/billing/eligibility", eligibility::answers)
        .post("/billing/eligibility", eligibility::import)
        .get("/clients/{id}/eligibility", eligibility::client)
        .get("/clients/{id}/ledger", ledger::show)
        .post("/clients/{id}/ledger", ledger::record)
        .post("/clients/{id}/ledger/card", cards::start)
        .post("/clients/{id}/card-payments/{payment}/refund", ledger::refund)
        .post("/clients/{id}/payment-plan", ledger::start_plan)
        .post("/clients/{id}/payment-plan/{plan}/end", ledger::end_plan)
        .post("/clients/{id}/payment-plan/autopay", ledger::autopay)
        .post("/clients/{id}/card-on-file", cards::save_card)
        .post("/clients/{id}/card-on-file/remove", ledger::remove_card)
        .get("/payments/card-saved/{practice}/{setup}", cards::card_saved)
        .get("/billing/cards/{checkout}", cards::check)
        .get("/payments/return/{practice}/{checkout}", cards::returned)
        .post("/payments/webhook/{practice}", cards::webhook)
        .get("/clients/{id}/statement", ledger::statement)
        .get("/clients/{id}/receipts/{payment}", ledger::receipt)
        .post("/clients/{id}/eligibility", eligibility::ask)
        .get("/billing/setup", setup::page)
        .post("/billing/settings", setup::save_settings)
        .post("/billing/clinicians/{user}", setup::save_clinician)
        .post("/billing/payers", setup::add_payer)
        .post("/billing/fees", setup::set_fee)
        .post("/billing/sliding-scale", setup::save_sliding_scale)
        .post("/clients/{id}/sliding-fee", ledger::assess_sliding_fee)
}

/// A charge as the table shows it.
struct Row {
    client_id: String,
    client: String,
    clinician: String,
    service: String,
    /// A missed-session fee, which no superbill carries.
    fee: bool,
    place: String,
    amount: String,
    payer: String,
    state: String,
    ready: bool,
    missing: Vec<String>,
    /// The numbers of the row's claims that can be replaced or voided.
    correctable: Vec<String>,
    /// The number of the claim that can go on to the next insurer, that insurer, and which it is
    /// ("second", "third").
    secondary: Option<(String, String, &'static str)>,
    charge_id: String,
    /// Which AI help the row offers: a service code for a service not yet claimed, and a
    /// check of its claim too when an insurer is billed.
    suggest_code: bool,
    check_claim: bool,
}

struct Day {
    date: String,
    rows: Vec<Row>,
}

struct Batch {
    id: String,
    interchange: String,
    made: String,
    claims: i64,
    /// When it was last left with the clearinghouse.
    submitted: Option<String>,
}

#[derive(Template)]
#[template(path = "billing.html")]
struct ChargesPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    from: String,
    to: String,
    days: Vec<Day>,
    total: String,
    ready: usize,
    batches: Vec<Batch>,
    /// The clearinghouse set up, if any.
    clearinghouse: Option<String>,
    may_change: bool,
    /// The AI providers that are on, (id, name), for those who may ask.
    assistants: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    made: Option<u64>,
    #[serde(default)]
    sent: Option<usize>,
    #[serde(default)]
    submitted: Option<String>,
    /// The claim number a correction was made of, and by which claim's batch.
    #[serde(default)]
    corrected: Option<String>,
    /// The batch a secondary claim went in.
    #[serde(default)]
    secondary: Option<String>,
}

/// The date typed in `field`, or `default` when it is empty; one that does not read is refused.
pub(super) fn typed_date(text: &str, default: Date, field: &'static str) -> Result<Date, ServiceError> {
    match text.trim() {
        "" => Ok(default),
        typed => typed.parse::<Date>().map_err(|_| {
            let mut errors = domain::validation::FieldErrors::default();
            errors.add(field, "is not a date (YYYY-MM-DD)");
            ServiceError::Invalid(errors)
        }),
    }
}

/// The period asked for, or the last seven days.
fn period(today: Date, from: &str, to: &str) -> Result<(Date, Date), ServiceError> {
    let to = typed_date(to, today, "to")?;
    let from = typed_date(from, to.checked_sub(jiff::Span::new().days(6)).unwrap_or(to), "from")?;
    Ok(if from <= to { (from, to) } else { (to, from) })
}

fn row(charge: Charge) -> Row {
    let r = &charge.record;
    let modifiers = if r.modifiers.is_empty() { String::new() } else { format!(" · {}", r.modifiers) };
    let fee = domain::billing::fee_words(&r.service_code);
    let (mut correctable, mut secondary) = (Vec::new(), None);
    let unclaimed = fee.is_none() && !matches!(charge.readiness, Readiness::Claimed(_));
    let insured = matches!(charge.readiness, Readiness::Ready | Readiness::Missing(_));
    let (state, ready, missing) = match charge.readiness {
        Readiness::Claimed(claim) => {
            correctable.extend(claim.correctable.then(|| claim.number.clone()));
            let mut words = claimed_words(&claim);
            // Second, then third: each claim the primary went on as, then the next to bill.
            for (later, (kind, position)) in claim.later.iter().zip([("secondary", "second"), ("tertiary", "third")]) {
                match later {
                    LaterInsurer::Billable { after, payer_name } => {
                        secondary = Some((after.clone(), payer_name.clone(), position))
                    }
                    LaterInsurer::Claimed { number, status, correctable: can } => {
                        correctable.extend(can.then(|| number.clone()));
                        let standing = if status == "sent" { String::new() } else { format!(" · {status}") };
                        words.push_str(&format!("; {kind} ({number}){standing}"));
                    }
                }
            }
            (words, false, Vec::new())
        }
        Readiness::Ready => ("Ready to claim".to_owned(), true, Vec::new()),
        Readiness::SelfPay => ("Self-pay".to_owned(), false, Vec::new()),
        Readiness::Missing(missing) => ("Not ready".to_owned(), false, missing),
    };
    Row {
        client_id: r.client.to_string(),
        client: charge.client_name.expose().clone(),
        clinician: charge.clinician,
        fee: fee.is_some(),
        service: fee.map_or_else(|| format!("{}{modifiers}", r.service_code), str::to_owned),
        place: r.place_of_service.clone(),
        amount: Cents(r.amount_cents).to_string(),
        payer: charge.payer_name,
        state,
        ready,
        missing,
        correctable,
        secondary,
        charge_id: r.id.clone(),
        suggest_code: unclaimed,
        check_claim: unclaimed && insured,
    }
}

/// "Claimed (H0000012)", "Replacement (H0000031) · paid", "Void (H0000040)".
fn claimed_words(claim: &Claimed) -> String {
    let kind = match claim.frequency.as_str() {
        "7" => "Replacement",
        "8" => "Void",
        _ => "Claimed",
    };
    let standing = match claim.status.as_str() {
        "paid" | "denied" => format!(" · {}", claim.status),
        _ => String::new(),
    };
    format!("{kind} ({}){standing}", claim.number)
}

async fn page(state: &AppState, actor: &service::Actor, from: Date, to: Date) -> Result<ChargesPage, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let days = state.haven.charges(actor, from, to).await?;
    let total = Cents::sum(days.iter().flat_map(|d| d.charges.iter().map(|c| Cents(c.record.amount_cents))));
    let days: Vec<Day> = days
        .into_iter()
        .map(|d| Day {
            date: d.date.strftime("%A, %B %-d, %Y").to_string(),
            rows: d.charges.into_iter().map(row).collect(),
        })
        .collect();
    let ready = days.iter().flat_map(|d| &d.rows).filter(|r| r.ready).count();
    let submissions = state.haven.batch_submissions(actor).await?;
    let batches = state
        .haven
        .claim_batches(actor)
        .await?
        .into_iter()
        .map(|b| Batch {
            submitted: submissions.iter().find(|(id, _)| *id == b.id).map(|(_, at)| crate::when::moment(*at, &zone)),
            id: b.id,
            interchange: format!("{:09}", b.interchange),
            made: crate::when::moment(b.created_at, &zone),
            claims: b.claims,
        })
        .collect();
    Ok(ChargesPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        from: from.to_string(),
        to: to.to_string(),
        days,
        total: total.unwrap_or_default().to_string(),
        ready,
        batches,
        clearinghouse: state.haven.clearinghouse(),
        may_change: actor.is_allowed(Resource::Billing, Action::Create),
        assistants: ai_for_billing(state, actor).await?,
        notice: None,
        error: None,
    })
}

/// The AI providers that are on, (id, name), for those who may change billing; none for others.
pub(super) async fn ai_for_billing(
    state: &AppState,
    actor: &service::Actor,
) -> Result<Vec<(String, String)>, PageError> {
    if !actor.is_allowed(Resource::Billing, Action::Create) {
        return Ok(Vec::new());
    }
    let providers = state.haven.ai_providers(actor).await?;
    Ok(providers.into_iter().filter(|p| p.enabled).map(|p| (p.id, p.name)).collect())
}

pub(super) async fn today(state: &AppState, actor: &service::Actor) -> Result<Date, PageError> {
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    Ok(jiff::Timestamp::now().to_zoned(zone).date())
}

async fn charges_page(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Query(query): Query<Period>,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &query.from, &query.to)?;
    let mut page = page(&state, &actor, from, to).await?;
    page.notice = match (query.made, query.sent, query.submitted, query.corrected, query.secondary) {
        (Some(n), ..) => Some(format!("{n} new charge{} made.", if n == 1 { "" } else { "s" })),
        (_, Some(n), ..) => Some(format!("A batch of {n} claim{} is ready to send.", if n == 1 { "" } else { "s" })),
        (_, _, Some(batch), ..) => Some(format!("Batch {batch} is with the clearinghouse.")),
        (_, _, _, Some(batch), _) => Some(format!("The correction is batch {batch}, ready to send.")),
        (.., Some(batch)) => Some(format!("The claim to the next insurer is batch {batch}, ready to send.")),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

fn back_to(from: Date, to: Date, done: &str) -> Response {
    Redirect::to(&format!("/billing?from={from}&to={to}&{done}")).into_response()
}

async fn make_charges(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<Period>,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &form.from, &form.to)?;
    let made = state.haven.make_charges(&actor, from, to).await?;
    if made.skipped.is_empty() {
        return Ok(back_to(from, to, &format!("made={}", made.made)));
    }
    let mut page = page(&state, &actor, from, to).await?;
    page.notice = Some(format!("{} new charge{} made.", made.made, if made.made == 1 { "" } else { "s" }));
    page.error = Some(format!("Not charged: {}.", made.skipped.join("; ")));
    Ok(render(StatusCode::OK, &page))
}

async fn send_claims(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(form): Form<Period>,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &form.from, &form.to)?;
    match state.haven.send_claims(&actor, from, to).await {
        Ok(sent) => Ok(back_to(from, to, &format!("sent={}", sent.claims))),
        Err(ServiceError::Conflict(why)) => {
            let mut page = page(&state, &actor, from, to).await?;
            page.error = Some(sentence(&why));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn replace_claim(
    state: State<AppState>,
    signed_in: SignedIn,
    number: Path<String>,
    form: Form<Period>,
) -> Result<Response, PageError> {
    correct_claim(state, signed_in, number, form, Correction::Replace).await
}

async fn void_claim(
    state: State<AppState>,
    signed_in: SignedIn,
    number: Path<String>,
    form: Form<Period>,
) -> Result<Response, PageError> {
    correct_claim(state, signed_in, number, form, Correction::Void).await
}

/// Replaces or voids a claim the payer has, as a batch of its own; back to the period shown.
async fn correct_claim(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(number): Path<String>,
    Form(form): Form<Period>,
    correction: Correction,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &form.from, &form.to)?;
    let made = state.haven.correct_claim(&actor, &number, correction).await;
    after_claim_step(&state, &actor, (from, to), made, "corrected").await
}

/// Sends a claim an insurer answered on to the client's next insurer.
async fn bill_secondary(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(number): Path<String>,
    Form(form): Form<Period>,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &form.from, &form.to)?;
    let made = state.haven.send_secondary_claim(&actor, &number).await;
    after_claim_step(&state, &actor, (from, to), made, "secondary").await
}

#[derive(Deserialize, Default)]
struct AskAi {
    #[serde(default)]
    assistant: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Billing's AI help with a charge not yet claimed (a service code, a claim checked): prepared,
/// then shown on its request's page before anything is sent.
async fn ask_ai(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<AskAi>,
) -> Result<Response, PageError> {
    let (from, to) = period(today(&state, &actor).await?, &form.from, &form.to)?;
    // An assistant not offered here is refused by the service, after the policy has answered.
    let assistant = form.assistant.parse().unwrap_or(domain::ai::Assistant::ProgressNote);
    let (status, why) = match state.haven.prepare_charge_assistance(&actor, &id, assistant, &form.provider).await {
        Ok((client, request)) => return Ok(Redirect::to(&format!("/clients/{client}/ai/{request}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors.iter().next().map(|e| e.message.clone()).unwrap_or_default())
        }
        Err(ServiceError::Denied(why)) => (StatusCode::FORBIDDEN, why.to_owned()),
        Err(ServiceError::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(e) => return Err(e.into()),
    };
    let mut page = page(&state, &actor, from, to).await?;
    page.error = Some(format!("Nothing was prepared: {why}."));
    Ok(render(status, &page))
}

/// Back to the period shown, naming the batch made under `done`, or the page with the reason
/// the claim could not be made.
async fn after_claim_step(
    state: &AppState,
    actor: &service::Actor,
    (from, to): (Date, Date),
    made: Result<BatchSent, ServiceError>,
    done: &str,
) -> Result<Response, PageError> {
    match made {
        Ok(sent) => Ok(back_to(from, to, &format!("{done}={:09}", sent.interchange))),
        Err(ServiceError::Conflict(why)) => {
            let mut page = page(state, actor, from, to).await?;
            page.error = Some(format!("{}.", sentence(&why)));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn download_batch(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (name, bytes) = state.haven.claim_batch_file(&actor, &id).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/edi-x12".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, bytes).into_response())
}

/// Leaves a batch with the clearinghouse.
async fn submit_batch(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    match state.haven.submit_batch(&actor, &id).await {
        Ok(()) => {
            let interchange = state.haven.claim_batches(&actor).await?.into_iter().find(|b| b.id == id);
            let number = interchange.map(|b| format!("{:09}", b.interchange)).unwrap_or_default();
            Ok(Redirect::to(&format!("/billing?submitted={number}")).into_response())
        }
        Err(ServiceError::Conflict(why)) => {
            let today = today(&state, &actor).await?;
            let (from, to) = period(today, "", "")?;
            let mut page = page(&state, &actor, from, to).await?;
            page.error = Some(format!("{}.", sentence(&why)));
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// A client's superbill for the period, as a PDF download.
async fn superbill(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<Period>,
) -> Result<Response, PageError> {
    let client = id.parse().map_err(|_| ServiceError::NotFound)?;
    let (from, to) = period(today(&state, &actor).await?, &query.from, &query.to)?;
    let bill = state.haven.superbill(&actor, client, from, to).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", bill.file_name)),
    ];
    Ok((headers, bill.bytes).into_response())
}
