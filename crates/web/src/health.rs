//! `/healthz`: the process answers. `/readyz`: the database answers and is migrated, and the
//! audit log's writer keeps up.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::json;

use crate::AppState;
use crate::routes::Routes;

pub(crate) fn routes() -> Routes {
    Routes::new().get("/healthz", healthz).get("/readyz", readyz)
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive")))]
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers, its schema is this build's (or a later one), and no audit event has
/// waited more than a minute to enter the log.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready"), (status = 503, description = "Database unreachable or not migrated, or the audit writer stalled")))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    match state.haven.readiness().await {
        Ok(r) => {
            let row_security = match (r.database, r.row_security_bypassed) {
                ("postgres", false) => "enforced",
                ("postgres", true) => "bypassed",
                _ => "not used",
            };
            Json(json!({
                "status": "ready", "database": r.database, "schema_version": r.schema_version,
                "row_security": row_security,
            }))
            .into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, detail = ?e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": e.to_string() })))
                .into_response()
        }
    }
}
