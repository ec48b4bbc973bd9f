//! How service errors become HTTP answers: stable codes and safe messages for the API,
//! a readable page (or a redirect to sign-in) for the UI. Details go to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use serde::Serialize;
use service::ServiceError;
use service::SetupTokenState;
use utoipa::ToSchema;

use crate::pages::{MessagePage, sentence};

/// HTTP status and stable machine-readable code for each error.
fn classify(e: &ServiceError) -> (StatusCode, &'static str) {
    match e {
        ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ServiceError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        ServiceError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        ServiceError::SecondFactorRequired => (StatusCode::FORBIDDEN, "second_factor_required"),
        ServiceError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        ServiceError::SetupLink(SetupTokenState::Used) => (StatusCode::GONE, "setup_link_used"),
        ServiceError::SetupLink(SetupTokenState::Expired) => (StatusCode::GONE, "setup_link_expired"),
        ServiceError::SetupLink(_) => (StatusCode::NOT_FOUND, "setup_link_unknown"),
        ServiceError::InvitationLink(_) => (StatusCode::GONE, "invitation_link_unusable"),
        ServiceError::ResetLink(_) => (StatusCode::GONE, "reset_link_unusable"),
        ServiceError::AccountDisabled(_) => (StatusCode::FORBIDDEN, "account_disabled"),
        ServiceError::PasskeyRefused(_) => (StatusCode::UNAUTHORIZED, "passkey_refused"),
        ServiceError::SingleSignOnRefused(_) => (StatusCode::UNAUTHORIZED, "single_sign_on_refused"),
        ServiceError::MailNotSent(_) => (StatusCode::BAD_GATEWAY, "mail_not_sent"),
        ServiceError::AlreadySetUp => (StatusCode::CONFLICT, "already_set_up"),
        ServiceError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        ServiceError::Denied(_) => (StatusCode::FORBIDDEN, "forbidden"),
        ServiceError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        ServiceError::Unavailable(_) | ServiceError::WrongMasterKey { .. } => {
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        ServiceError::AuditUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable"),
        ServiceError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        ServiceError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

fn log(e: &ServiceError) {
    match e {
        ServiceError::Internal(detail) => tracing::error!(%detail, "request failed"),
        ServiceError::Unavailable(source) => tracing::error!(error = %source, "database unavailable"),
        ServiceError::AuditUnavailable => tracing::error!("audit log unavailable; the request was refused"),
        _ => {}
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// Stable code, e.g. `invalid_credentials`.
    pub code: String,
    /// A message safe to show to the user.
    pub message: String,
    /// For `invalid`: what is wrong with which field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

/// Marks an answer as a refusal by the policy, naming its rule, so the refusal can be recorded
/// in the audit log on its way out (`refusals`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refused(pub &'static str);

/// `response`, marked as a refusal when `e` is one (for handlers that answer a refusal with a
/// page of their own).
pub(crate) fn marked(e: &ServiceError, mut response: Response) -> Response {
    if let ServiceError::Denied(rule) = e {
        response.extensions_mut().insert(Refused(rule));
    }
    response
}

/// An error answered as JSON.
#[derive(Debug)]
pub(crate) enum ApiError {
    Service(ServiceError),
    /// The request itself could not be read (malformed JSON, wrong content type).
    BadRequest(String),
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError::Service(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, ErrorBody { code: "bad_request".into(), message, fields: vec![] })
            }
            ApiError::Service(e) => {
                log(&e);
                let (status, code) = classify(&e);
                let fields = match &e {
                    ServiceError::Invalid(errors) => errors
                        .iter()
                        .map(|f| FieldErrorBody { field: f.field.into(), message: f.message.clone() })
                        .collect(),
                    _ => vec![],
                };
                let body = ErrorBody { code: code.into(), message: e.to_string(), fields };
                if let ServiceError::TooManyAttempts(wait) = e {
                    let seconds = wait.as_secs().max(1).to_string();
                    return (status, [(axum::http::header::RETRY_AFTER, seconds)], Json(body)).into_response();
                }
                if matches!(e, ServiceError::Busy) {
                    return (status, [(axum::http::header::RETRY_AFTER, "1")], Json(body)).into_response();
                }
                return marked(&e, (status, Json(body)).into_response());
            }
        };
        (status, Json(body)).into_response()
    }
}

/// An error answered as a page; no session means "go and sign in".
#[derive(Debug)]
pub(crate) struct PageError(pub ServiceError);

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self.0 {
            ServiceError::Unauthenticated => return Redirect::to("/sign-in").into_response(),
            ServiceError::SecondFactorRequired => return Redirect::to("/account/security").into_response(),
            _ => {}
        }
        log(&self.0);
        let (status, _) = classify(&self.0);
        let (title, message) = match &self.0 {
            ServiceError::SetupLink(state) => {
                let why = match state {
                    SetupTokenState::Used => "This link has already been used.",
                    SetupTokenState::Expired => "This link has expired.",
                    _ => "This link is not recognised.",
                };
                (
                    "This setup link cannot be used",
                    format!(
                        "{why} Setup links work once and for one hour. Restart Haven (haven serve) to print \
                         a new one, or sign in if the practice is already set up."
                    ),
                )
            }
            ServiceError::ResetLink(_) => ("This reset link cannot be used", sentence(&self.0.to_string())),
            ServiceError::Unavailable(_) => (
                "Haven is temporarily unavailable",
                "The database cannot be reached. Nothing was changed; please try again shortly.".into(),
            ),
            ServiceError::AuditUnavailable => (
                "The audit log cannot be written right now",
                "Nothing that needs an audit record was done or shown. Please try again shortly; if it lasts, \
                 tell whoever runs Haven."
                    .into(),
            ),
            ServiceError::Internal(_) => (
                "Something went wrong",
                "Nothing was changed. The error has been logged for your administrator.".into(),
            ),
            other => ("Request refused", other.to_string()),
        };
        let mut response = marked(&self.0, (status, MessagePage::new(title, message)).into_response());
        if matches!(self.0, ServiceError::Busy) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}
