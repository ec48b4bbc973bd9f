//! AI assistance, the practice's side (AI-1, AI-2, AI-6): the providers page, where the owner
//! adds an OpenAI-compatible endpoint, records its BAA and turns it on; and the audit log's
//! view of one request — exactly what was sent and what came back, de-identified.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Role;
use domain::ai::{BaaForm, ProviderForm};
use domain::validation::FieldErrors;
use serde::Deserialize;
use service::{AiProvider, AiRequestView, ServiceError};

use crate::AppState;
use crate::error::PageError;
use crate::pages::{VERSION, render};
use crate::routes::Routes;
use crate::security;
use crate::session::SignedIn;

pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/practice/ai", show)
        .post("/practice/ai", add)
        .post("/practice/ai/{id}/baa", record_baa)
        .post("/practice/ai/{id}/enable", enable)
        .post("/practice/ai/{id}/disable", disable)
        .get("/audit/ai/{id}", audit_request)
}

#[derive(Template)]
#[template(path = "ai_providers.html")]
struct ProvidersPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    providers: Vec<(AiProvider, String)>,
    may_manage: bool,
    form: ProviderForm,
    errors: FieldErrors,
    /// The provider whose BAA form was refused, with what was typed.
    baa: Option<(String, BaaForm)>,
    notice: Option<String>,
    error: Option<String>,
}

impl ProvidersPage {
    /// The BAA field's id for provider `id` (each provider has its own form).
    fn baa_field(&self, id: &str) -> String {
        format!("baa-{id}")
    }

    /// What was typed in provider `id`'s refused BAA form.
    fn typed_baa(&self, id: &str) -> String {
        self.baa.as_ref().filter(|(p, _)| p == id).map(|(_, f)| f.document_sha256.clone()).unwrap_or_default()
    }
}

async fn page(state: &AppState, actor: &service::Actor) -> Result<ProvidersPage, PageError> {
    let providers = state.haven.ai_providers(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    Ok(ProvidersPage {
        nonce: security::nonce(),
        version: VERSION,
        user_name: actor.display_name().to_owned(),
        idle_seconds: actor.idle_timeout().as_secs(),
        providers: providers
            .into_iter()
            .map(|p| {
                let when = p.baa.as_ref().map(|(_, at, _)| crate::when::moment(*at, &zone)).unwrap_or_default();
                (p, when)
            })
            .collect(),
        may_manage: actor.role() == Role::Owner,
        form: ProviderForm::default(),
        errors: FieldErrors::default(),
        baa: None,
        notice: None,
        error: None,
    })
}

async fn show(State(state): State<AppState>, SignedIn(actor): SignedIn) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, &page(&state, &actor).await?))
}

#[derive(Deserialize)]
struct Typed {
    #[serde(default)]
    name: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    key_source: String,
    #[serde(default)]
    runs_here: Option<String>,
}

async fn add(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Form(typed): Form<Typed>,
) -> Result<Response, PageError> {
    let form = ProviderForm {
        name: typed.name,
        base_url: typed.base_url,
        model: typed.model,
        key_source: typed.key_source,
        runs_here: typed.runs_here.is_some(),
    };
    match state.haven.add_ai_provider(&actor, &form).await {
        Ok(_) => Ok(Redirect::to("/practice/ai").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.form = form;
            page.errors = errors;
            page.error = Some("Not added: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct Versioned {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    document_sha256: String,
    #[serde(default)]
    no_training_no_retention: Option<String>,
}

async fn record_baa(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Versioned>,
) -> Result<Response, PageError> {
    let form = BaaForm {
        document_sha256: typed.document_sha256,
        no_training_no_retention: typed.no_training_no_retention.is_some(),
    };
    match state.haven.record_ai_baa(&actor, &id, typed.version, &form).await {
        Ok(()) => Ok(Redirect::to("/practice/ai").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &actor).await?;
            page.errors = errors;
            page.baa = Some((id, form));
            page.error = Some("The agreement was not recorded: please correct the highlighted fields.".into());
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn switch(
    state: AppState,
    actor: service::Actor,
    id: String,
    version: i64,
    on: bool,
) -> Result<Response, PageError> {
    match state.haven.enable_ai_provider(&actor, &id, version, on).await {
        Ok(()) => Ok(Redirect::to("/practice/ai").into_response()),
        Err(ServiceError::Conflict(message)) => {
            let mut page = page(&state, &actor).await?;
            page.error = Some(message);
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

async fn enable(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Versioned>,
) -> Result<Response, PageError> {
    switch(state, actor, id, typed.version, true).await
}

async fn disable(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(typed): Form<Versioned>,
) -> Result<Response, PageError> {
    switch(state, actor, id, typed.version, false).await
}

/// One request as the audit log keeps it (the owner's).
#[derive(Template)]
#[template(path = "ai_audit.html")]
struct AuditRequestPage {
    nonce: String,
    version: &'static str,
    user_name: String,
    idle_seconds: i64,
    request: AiRequestView,
    created: String,
}

async fn audit_request(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let request = state.haven.ai_request_for_audit(&actor, &id).await?;
    let zone = crate::sign_ins::time_zone(&state, &actor).await?;
    Ok(render(
        StatusCode::OK,
        &AuditRequestPage {
            nonce: security::nonce(),
            version: VERSION,
            user_name: actor.display_name().to_owned(),
            idle_seconds: actor.idle_timeout().as_secs(),
            created: crate::when::moment(request.created_at, &zone),
            request,
        },
    ))
}
