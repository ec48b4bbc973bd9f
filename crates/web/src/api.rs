//! The JSON API under `/api/v1`, described by an OpenAPI document generated from these
//! handlers (`/api/openapi.json`).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};
use service::{Actor, PracticeRecord, ServiceError, StaffMember};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use crate::remote::Caller;
use crate::routes::Routes;
use crate::session::{self, ApiSignedIn};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .post("/sessions", sign_in)
        .delete("/sessions/current", sign_out)
        .get("/me", me)
        .get("/practice", practice)
        .get("/staff", staff)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Haven API",
        description = "Practice management and EHR for mental-health practices. Authenticate with an API token \
                       (`Authorization: Bearer hvn_…`, made on the web under Sign-in security; it acts within its \
                       scopes) or with the session cookie of `POST /api/v1/sessions`."
    ),
    paths(sign_in, sign_out, me, practice, staff, crate::health::healthz, crate::health::readyz),
    components(schemas(SignInRequest, Me, Practice, Staff, ErrorBody, FieldErrorBody)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

/// The two ways a caller proves who they are: an API token, or the session cookie.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let token = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("hvn_…").build();
        components.add_security_scheme("bearer_token", SecurityScheme::Http(token));
        let cookie = ApiKey::Cookie(ApiKeyValue::new(crate::session::COOKIE));
        components.add_security_scheme("session_cookie", SecurityScheme::ApiKey(cookie));
    }
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

pub(crate) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

#[derive(Debug, Deserialize, ToSchema)]
struct SignInRequest {
    email: String,
    password: String,
}

/// The signed-in staff member.
#[derive(Debug, Serialize, ToSchema)]
struct Me {
    user_id: String,
    display_name: String,
    /// One of owner, administrator, clinician, supervisor, scheduler, biller.
    role: String,
    practice_id: String,
}

impl From<&Actor> for Me {
    fn from(a: &Actor) -> Self {
        Me {
            user_id: a.user().to_string(),
            display_name: a.display_name().to_owned(),
            role: a.role().to_string(),
            practice_id: a.practice().to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct Practice {
    id: String,
    name: String,
    address_line1: String,
    address_line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    npi: String,
    tax_id: String,
    /// IANA time zone name.
    time_zone: String,
}

impl From<PracticeRecord> for Practice {
    fn from(p: PracticeRecord) -> Self {
        let profile = p.profile;
        Practice {
            id: p.id.to_string(),
            name: profile.name,
            address_line1: profile.address.line1,
            address_line2: profile.address.line2,
            city: profile.address.city,
            state: profile.address.state,
            postal_code: profile.address.postal_code,
            npi: profile.npi.to_string(),
            tax_id: profile.tax_id.to_string(),
            time_zone: profile.time_zone.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct Staff {
    user_id: String,
    display_name: String,
    email: String,
    role: String,
    /// RFC 3339 time the membership began.
    joined_at: String,
}

impl From<StaffMember> for Staff {
    fn from(s: StaffMember) -> Self {
        Staff {
            user_id: s.user.to_string(),
            display_name: s.display_name,
            email: s.email.to_string(),
            role: s.role.to_string(),
            joined_at: s.joined_at.to_string(),
        }
    }
}

/// Signs in with e-mail and password; the session travels in an HttpOnly cookie.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = SignInRequest,
    responses(
        (status = 201, description = "Signed in; `Set-Cookie` carries the session", body = Me),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "E-mail or password not correct", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; `Retry-After` says how long to wait", body = ErrorBody),
    ))]
async fn sign_in(
    State(state): State<AppState>,
    Caller(from): Caller,
    body: Result<Json<SignInRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let service::SignIn::Complete(token, actor) = state.haven.sign_in(&body.email, &body.password, &from).await? else {
        return Err(ServiceError::Denied(
            "this account signs in with a second factor: make an API token on the web (Sign-in security, API tokens)",
        )
        .into());
    };
    let cookie = session::set_cookie(token.as_str(), state.options.https);
    Ok((StatusCode::CREATED, [(header::SET_COOKIE, cookie)], Json(Me::from(&actor))).into_response())
}

/// Ends the current session.
#[utoipa::path(delete, path = "/api/v1/sessions/current", tag = "sessions",
    security(("session_cookie" = [])),
    responses((status = 204, description = "Signed out (also when no session was open)")))]
async fn sign_out(
    State(state): State<AppState>,
    Caller(from): Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = session::token(&headers, state.options.https) {
        state.haven.sign_out(&token, &from).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session::clear_cookie(state.options.https))]).into_response())
}

/// Who is signed in, in which practice, with which role.
#[utoipa::path(get, path = "/api/v1/me", tag = "sessions",
    security(("bearer_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Who is signed in, in which practice and role", body = Me),
        (status = 401, description = "Not signed in, or the session or token has ended", body = ErrorBody),
    ))]
async fn me(ApiSignedIn(actor): ApiSignedIn) -> Json<Me> {
    Json(Me::from(&actor))
}

/// The practice's registered details.
#[utoipa::path(get, path = "/api/v1/practice", tag = "practice",
    security(("bearer_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The practice's registered details", body = Practice),
        (status = 401, description = "Not signed in, or the session or token has ended", body = ErrorBody),
        (status = 403, description = "The token's scopes do not cover it", body = ErrorBody),
    ))]
async fn practice(State(state): State<AppState>, ApiSignedIn(actor): ApiSignedIn) -> Result<Json<Practice>, ApiError> {
    Ok(Json(state.haven.practice(&actor).await?.into()))
}

/// The practice's staff and their roles.
#[utoipa::path(get, path = "/api/v1/staff", tag = "practice",
    security(("bearer_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The practice's staff directory", body = [Staff]),
        (status = 401, description = "Not signed in, or the session or token has ended", body = ErrorBody),
        (status = 403, description = "The token's scopes do not cover it", body = ErrorBody),
    ))]
async fn staff(State(state): State<AppState>, ApiSignedIn(actor): ApiSignedIn) -> Result<Json<Vec<Staff>>, ApiError> {
    let staff = state.haven.staff(&actor).await?;
    Ok(Json(staff.into_iter().map(Staff::from).collect()))
}

/// Under `/api/`, an answer the router made on its own (no such endpoint: 404; a known one with
/// another method: 405, whose `Allow` header stays) is an [`ErrorBody`] like every other API
/// error, not the HTML page or an empty body.
pub(crate) async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let json =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    let (code, message) = match response.status() {
        StatusCode::NOT_FOUND => ("not_found", "there is no such API endpoint"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this endpoint does not take that method"),
        _ => return response,
    };
    if !api || json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let body = ErrorBody { code: code.into(), message: message.into(), fields: vec![] };
    let mut answer = (response.status(), Json(body)).into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}
