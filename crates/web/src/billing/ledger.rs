//! A client's ledger: every line with the balance after it, the form that records a payment,
//! refund or write-off, and the statement as a PDF download.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::ClientId;
use domain::billing_forms::{ClientPaymentForm, PAYMENT_METHODS, WRITE_OFF_REASONS};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use service::ServiceError;
use service::billing::ClientLedger;

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::security;
use crate::session::SignedIn;

#[derive(Template)]
#[template(path = "client_ledger.html")]
struct LedgerPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    client: ClientId,
    ledger: ClientLedger,
    may_record: bool,
    form: ClientPaymentForm,
    errors: FieldErrors,
    methods: &'static [(&'static str, &'static str)],
    reasons: &'static [(&'static str, &'static str)],
}

impl LedgerPage {
    fn chosen(&self, value: &str, field: &str) -> bool {
        match field {
            "kind" => self.form.kind == value,
            "method" => self.form.method == value,
            _ => self.form.reason == value,
        }
    }
}

fn client_id(text: &str) -> Result<ClientId, PageError> {
    text.parse().map_err(|_| PageError::from(ServiceError::NotFound))
}

async fn page(
    state: &AppState,
    actor: &service::Actor,
    client: ClientId,
    typed: Option<(ClientPaymentForm, FieldErrors)>,
) -> Result<Response, PageError> {
    let ledger = state.haven.client_ledger(actor, client).await?;
    let status = if typed.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (form, errors) = typed.unwrap_or_else(|| {
        (ClientPaymentForm { kind: "payment".into(), ..ClientPaymentForm::default() }, FieldErrors::default())
    });
    let view = LedgerPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        client,
        ledger,
        may_record: actor.is_allowed(Resource::Billing, Action::Create),
        form,
        errors,
        methods: &PAYMENT_METHODS,
        reasons: &WRITE_OFF_REASONS,
    };
    Ok(render(status, &view))
}

pub(super) async fn show(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    page(&state, &actor, client_id(&id)?, None).await
}

pub(super) async fn record(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ClientPaymentForm>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.record_client_payment(&actor, client, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/ledger")).into_response()),
        Err(ServiceError::Invalid(errors)) => page(&state, &actor, client, Some((form, errors))).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn statement(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let statement = state.haven.client_statement(&actor, client_id(&id)?).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", statement.file_name)),
    ];
    Ok((headers, statement.bytes).into_response())
}
