//! "API tokens": a person makes scoped tokens for integrations (each shown once), sees when
//! they were last used, and revokes them.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ApiTokenId;
use domain::policy::Scope;
use domain::validation::FieldErrors;
use service::{Actor, ServiceError};

use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::session::SignedIn;
use crate::{AppState, security};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/account/tokens", page)
        .post("/account/tokens", create)
        .get("/account/tokens/{id}/revoke", confirm_revoke)
        .post("/account/tokens/{id}/revoke", revoke)
}

struct Row {
    id: String,
    name: String,
    scopes: String,
    created: String,
    expires: String,
    last_used: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    rows: Vec<Row>,
    scopes: [Scope; 2],
    /// Just made: the secret, shown this once.
    created: Option<String>,
    /// Not `name`: inside the field macro that would be the macro's own parameter.
    token_name: String,
    chosen: Vec<Scope>,
    days: String,
    errors: FieldErrors,
    /// Asking before a revocation: the token's id and name.
    confirming: Option<(String, String)>,
}

async fn tokens_page(
    state: &AppState,
    actor: &Actor,
    status: StatusCode,
    created: Option<String>,
    form: Option<(String, Vec<Scope>, String, FieldErrors)>,
    confirming: Option<ApiTokenId>,
) -> Result<Response, PageError> {
    let tz = crate::sign_ins::time_zone(state, actor).await?;
    let day = |t: jiff::Timestamp| crate::when::date(t, &tz);
    let tokens = state.haven.api_tokens(actor).await?;
    let confirming = match confirming {
        Some(id) => {
            let token = tokens.iter().find(|t| t.id == id).ok_or(ServiceError::NotFound)?;
            Some((id.to_string(), token.name.clone()))
        }
        None => None,
    };
    let rows = tokens
        .into_iter()
        .map(|t| Row {
            id: t.id.to_string(),
            scopes: t.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            created: day(t.created_at),
            expires: day(t.expires_at),
            last_used: t.last_used_at.map_or_else(|| "Never".to_owned(), &day),
            expired: t.expired,
            name: t.name,
        })
        .collect();
    let (token_name, chosen, days, errors) =
        form.unwrap_or_else(|| (String::new(), Vec::new(), "90".to_owned(), FieldErrors::default()));
    let page = TokensPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        rows,
        scopes: Scope::ALL,
        created,
        token_name,
        chosen,
        days,
        errors,
        confirming,
    };
    Ok(render(status, &page))
}

async fn page(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    tokens_page(&state, &actor, StatusCode::OK, None, None, None).await
}

/// Revoking is asked once more: programs using the token stop at once, for good.
async fn confirm_revoke(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ApiTokenId = id.parse().map_err(|_| ServiceError::NotFound)?;
    tokens_page(&state, &actor, StatusCode::OK, None, None, Some(id)).await
}

/// The form: `name`, `days`, and one `scope` per box ticked (unknown scopes are ignored).
async fn create(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let scopes: Vec<Scope> = fields.iter().filter(|(k, _)| k == "scope").filter_map(|(_, v)| v.parse().ok()).collect();
    let (name, days) = (field("name"), field("days"));
    // Not a number: 0, which the service refuses with the field's message.
    match state.haven.create_api_token(&actor, &name, &scopes, days.trim().parse().unwrap_or(0)).await {
        // Rendered, not redirected: the secret must not travel in a URL or be shown twice.
        Ok((secret, _)) => {
            tokens_page(&state, &actor, StatusCode::CREATED, Some(secret.expose().to_owned()), None, None).await
        }
        Err(ServiceError::Invalid(errors)) => {
            let form = Some((name, scopes, days, errors));
            tokens_page(&state, &actor, StatusCode::UNPROCESSABLE_ENTITY, None, form, None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: ApiTokenId = id.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.revoke_api_token(&actor, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
