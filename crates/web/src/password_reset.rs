//! Forgotten passwords: asking for a link (the same answer for every address) and choosing a
//! new password through it; and the staff page's "send a reset link" for a colleague.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::staff::PasswordResetForm;
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::{ResetOffer, ServiceError};

use crate::error::PageError;
use crate::pages::{VERSION, render, sentence};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/password/forgot", forgot_form)
        .post("/password/forgot", forgot)
        .get("/password/reset/{token}", reset_form)
        .post("/password/reset/{token}", reset)
}

#[derive(Template)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    nonce: String,
    version: &'static str,
    email: String,
    errors: FieldErrors,
    error: Option<String>,
    /// The request was taken: the page says so, whatever the address.
    sent: bool,
}

impl ForgotPage {
    fn new(email: String, errors: FieldErrors, error: Option<String>, sent: bool) -> Self {
        Self { nonce: security::nonce(), version: VERSION, email, errors, error, sent }
    }
}

async fn forgot_form() -> Response {
    render(StatusCode::OK, &ForgotPage::new(String::new(), FieldErrors::default(), None, false))
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(
    State(state): State<AppState>,
    Caller(from): Caller,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let email = form.email.trim().to_owned();
    let (status, errors, error) = match state.haven.request_password_reset(&email, &from).await {
        Ok(()) => return Ok(render(StatusCode::OK, &ForgotPage::new(email, FieldErrors::default(), None, true))),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, errors, None),
        Err(e @ ServiceError::TooManyAttempts(_)) => {
            (StatusCode::TOO_MANY_REQUESTS, FieldErrors::default(), Some(sentence(&e.to_string())))
        }
        Err(ServiceError::MailNotSent(why)) => {
            (StatusCode::SERVICE_UNAVAILABLE, FieldErrors::default(), Some(sentence(&why)))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(render(status, &ForgotPage::new(email, errors, error, false)))
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    nonce: String,
    version: &'static str,
    token: String,
    offer: ResetOffer,
    errors: FieldErrors,
}

impl ResetPage {
    fn new(token: String, offer: ResetOffer, errors: FieldErrors) -> Self {
        Self { nonce: security::nonce(), version: VERSION, token, offer, errors }
    }
}

async fn reset_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, PageError> {
    let offer = state.haven.password_reset_offer(&token).await?;
    Ok(render(StatusCode::OK, &ResetPage::new(token, offer, FieldErrors::default())))
}

async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordResetForm>,
) -> Result<Response, PageError> {
    match state.haven.reset_password(&token, &form).await {
        Ok(()) => Ok(Redirect::to("/sign-in?reset=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let offer = state.haven.password_reset_offer(&token).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &ResetPage::new(token, offer, errors)))
        }
        Err(e) => Err(e.into()),
    }
}
