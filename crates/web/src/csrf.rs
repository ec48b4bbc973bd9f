//! Form tokens against cross-site request forgery, on top of `SameSite=Strict` cookies and the
//! cross-site check in `security`: every form of a signed-in page carries the session's token
//! (`_csrf`), and a form post that comes with a session cookie but not its token is refused
//! before any handler runs. Forms used before there is a session (sign-in, setup, invitation)
//! are exempt; the JSON API is not a form (a cross-site JSON post needs a CORS preflight, which
//! Haven never grants). Portal pages carry the portal session's token, from its own cookie.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::pages::MessagePage;
use crate::session;

/// The largest form Haven reads; anything bigger is refused unread. Each field has its own,
/// much smaller limit, checked with the form and answered beside the field with everything
/// else kept: this one only has to hold the largest form with every field at its limit (a
/// note's 60,000 characters, four bytes each, percent-encoded: 720 KB).
pub(crate) const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The largest upload form: one document at its limit, and the few fields beside it.
pub(crate) const MAX_UPLOAD_BYTES: usize = domain::document::FILE_MAX_BYTES + 64 * 1024;

/// Whether `path` takes uploads (and so the larger limit): a client's documents, messages'
/// files, remittance files, the export a practice imports.
fn takes_uploads(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        ["clients", _, "documents"]
            | ["clients", _, "messages"]
            | ["clients", _, "messages", _]
            | ["portal", "messages"]
            | ["portal", "messages", _]
            | ["billing", "remittances"]
            | ["billing", "eligibility"]
            | ["billing", "acknowledgements"]
            | ["practice", "import"]
            | ["practice", "import", "appointments"]
            | ["practice", "compliance", "agreements"]
    )
}

tokio::task_local! {
    static FORM_TOKEN: String;
}

/// The token for the forms of the page being produced (empty without a session).
pub(crate) fn form_token() -> String {
    FORM_TOKEN.try_with(Clone::clone).unwrap_or_default()
}

/// Whether `path` is a portal page, whose forms carry the portal session's token.
pub(crate) fn is_portal(path: &str) -> bool {
    path == "/portal" || path.starts_with("/portal/")
}

fn exempt(path: &str) -> bool {
    path == "/sign-in"
        || path == "/portal/sign-in"
        || path == "/portal/forgot"
        || path.starts_with("/portal/link/")
        || path.starts_with("/setup/")
        || path.starts_with("/invitation/")
        || path.starts_with("/password/")
        || path.starts_with("/api/")
}

pub(crate) async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (headers, https) = (request.headers(), state.options.https);
    let session = if is_portal(request.uri().path()) {
        session::portal_token(headers, https)
    } else {
        session::token(headers, https)
    };
    let expected = session.map(|t| service::form_token(&t)).unwrap_or_default();
    let checked = matches!(*request.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
        && !expected.is_empty()
        && !exempt(request.uri().path());
    let request = if checked {
        match with_token_checked(request, &expected).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        }
    } else {
        request
    };
    FORM_TOKEN.scope(expected, next.run(request)).await
}

/// Reads the form (bounded), compares its `_csrf` field, and hands the same bytes on.
async fn with_token_checked(request: Request, expected: &str) -> Result<Request, Response> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let upload = crate::multipart::boundary(content_type).filter(|_| takes_uploads(&path));
    let limit = if upload.is_some() { MAX_UPLOAD_BYTES } else { MAX_FORM_BYTES };
    let Ok(bytes) = to_bytes(body, limit).await else {
        tracing::info!(%path, "form refused: too large");
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            if upload.is_some() {
                "This upload is larger than Haven accepts (20 MB), so nothing was saved. Go back and choose a smaller file, or scan it in parts."
            } else {
                "This form is larger than any Haven form can be (over a megabyte), so nothing was saved. Go back, shorten what was pasted and send it again."
            },
        ));
    };
    let is_form = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let offered = match &upload {
        Some(boundary) => crate::multipart::parse(&bytes, boundary)
            .ok()
            .and_then(|parts| parts.into_iter().find(|p| p.name == "_csrf" && p.file_name.is_none()))
            .and_then(|p| String::from_utf8(p.data.to_vec()).ok())
            .unwrap_or_default(),
        None if is_form => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .unwrap_or_default()
            .into_iter()
            .find(|(name, _)| name == "_csrf")
            .map(|(_, value)| value)
            .unwrap_or_default(),
        None => String::new(),
    };
    if !service::same_secret(offered.as_bytes(), expected.as_bytes()) {
        tracing::info!(%path, "form refused: missing or wrong form token");
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "This form did not come from your current Haven page, so nothing was changed. Go back, reload the page and try again.",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn refuse(status: StatusCode, message: &str) -> Response {
    (status, MessagePage::new("Not sent", message.to_owned())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_session_forms_and_the_api_are_exempt() {
        for path in
            ["/sign-in", "/setup/abc", "/invitation/abc", "/password/forgot", "/password/reset/abc", "/api/v1/sessions"]
        {
            assert!(exempt(path), "{path}");
        }
        for path in ["/sign-out", "/sign-in/code", "/staff/invite", "/account/totp"] {
            assert!(!exempt(path), "{path}");
        }
    }

    #[test]
    fn only_a_client_s_documents_take_uploads() {
        assert!(takes_uploads("/clients/0b6f/documents"));
        for path in ["/clients/0b6f/notes", "/clients/documents", "/clients/a/b/documents", "/staff/documents"] {
            assert!(!takes_uploads(path), "{path}");
        }
    }
}
