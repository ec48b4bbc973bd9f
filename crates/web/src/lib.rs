//! Haven's HTTP surface: the JSON API under `/api/v1`, the server-rendered pages (askama +
//! htmx, every asset embedded in the binary) and the health endpoints.
//!
//! Handlers talk only to [`service::Haven`]; they never see SQL, keys or which database runs.

mod account;
mod agreement;
mod ai;
mod api;
mod api_tokens;
mod appointment_types;
mod appointments;
mod assets;
mod attendance;
mod audit;
pub(crate) mod billing;
mod calendars;
mod clients;
mod compliance;
mod csrf;
mod error;
mod export;
mod feed;
mod health;
mod import;
mod incidents;
mod intake_forms;
mod message_post;
mod metrics;
mod multipart;
mod nav;
mod note_templates;
mod pages;
mod passkeys;
mod password_reset;
mod portal;
mod practice_profile;
mod records_requests;
mod refusals;
mod reminders;
mod remote;
mod retention;
mod rooms;
mod routes;
mod second_factor;
mod security;
mod session;
mod sign_ins;
mod single_sign_on;
mod slot_requests;
mod staff;
mod stale;
mod trend;
mod waitlist;
mod when;

use axum::Router;
use service::Haven;

pub use api::openapi_json;
pub use remote::TrustedProxies;
pub use routes::Route;

/// How the server is reached, which decides cookie and transport-security headers.
#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// Clients reach Haven over HTTPS (built-in TLS, or a TLS-terminating proxy): cookies get
    /// `Secure` and responses carry HSTS.
    pub https: bool,
    /// The `public_url` setting, when set: passkeys belong to its host. Unset, the address the
    /// browser used decides (fine for `localhost`).
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
}

#[derive(Debug, Clone)]
struct AppState {
    haven: Haven,
    options: WebOptions,
    metrics: std::sync::Arc<metrics::Metrics>,
}

/// Every route of the application, each page, API call and asset.
fn all_routes() -> routes::Routes {
    routes::Routes::new()
        .merge(pages::routes())
        .merge(sign_ins::routes())
        .merge(audit::routes())
        .merge(account::routes())
        .merge(agreement::routes())
        .merge(compliance::routes())
        .merge(export::routes())
        .merge(import::routes())
        .merge(incidents::routes())
        .merge(records_requests::routes())
        .merge(retention::routes())
        .merge(practice_profile::routes())
        .merge(second_factor::routes())
        .merge(staff::routes())
        .merge(password_reset::routes())
        .merge(api_tokens::routes())
        .merge(appointment_types::routes())
        .merge(appointments::routes())
        .merge(waitlist::routes())
        .merge(slot_requests::routes())
        .merge(note_templates::routes())
        .merge(rooms::routes())
        .merge(ai::routes())
        .merge(reminders::routes())
        .merge(billing::routes())
        .merge(intake_forms::routes())
        .merge(attendance::routes())
        .merge(feed::routes())
        .merge(calendars::routes())
        .merge(clients::routes())
        .merge(passkeys::routes())
        .merge(single_sign_on::routes())
        .merge(portal::routes())
        .nest("/api/v1", api::routes())
        .get("/api/openapi.json", api::openapi)
}

/// The method and path of every route the application answers, from the same construction as
/// its router (for the route-coverage test and documentation).
pub fn route_list() -> Vec<Route> {
    let mut list = all_routes().merge(health::routes()).merge(assets::routes()).merge(metrics::routes()).into_parts().1;
    list.sort();
    list
}

/// The whole application.
pub fn router(haven: Haven, options: WebOptions) -> Router {
    let state = AppState { haven, options, metrics: Default::default() };
    let (app, _) = all_routes().into_parts();
    let (open, _) = health::routes().merge(assets::routes()).merge(metrics::routes()).into_parts();
    let counted = axum::middleware::from_fn_with_state(state.clone(), metrics::record);
    // Refusals by the policy are recorded on every application route (not health or assets).
    app.route_layer(axum::middleware::from_fn_with_state(state.clone(), refusals::record))
        .merge(open)
        .route_layer(counted)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(axum::middleware::from_fn(nav::scope))
        .with_state(state)
}
