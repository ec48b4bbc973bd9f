//! A client's documents (CR-8): the list with the upload form, and each document served as
//! the type its bytes were found to be (never the name's), shown in the browser where that is
//! safe and downloaded otherwise. The service decides who sees which kind, and audits each.

use axum::body::{Body, to_bytes};
use axum::extract::{Query, Request};
use axum::http::header;
use domain::document::{DocumentForm, DocumentKind};
use service::{Document, Upload};

use super::*;
use crate::csrf::MAX_UPLOAD_BYTES;
use crate::multipart;

#[derive(Template)]
#[template(path = "documents.html")]
pub(super) struct DocumentsPage {
    l: Layout,
    client: String,
    client_name: String,
    documents: Vec<DocumentRow>,
    kinds: Vec<DocumentKind>,
    form: DocumentForm,
    errors: FieldErrors,
    /// "Added …" after an upload.
    notice: Option<String>,
}

with_layout!(DocumentsPage);

/// A document as listed.
pub(super) struct DocumentRow {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    /// "scan.pdf · PDF · 1.2 MB"
    pub file: String,
    /// "Dec 4, 2026 · Rosa Delgado"
    pub added: String,
}

/// "840 KB", "1.2 MB": sizes as people read them.
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub(super) fn document_rows(documents: &[Document], zone: &jiff::tz::TimeZone) -> Vec<DocumentRow> {
    documents
        .iter()
        .map(|d| {
            let detail = d.detail.expose();
            DocumentRow {
                id: d.id.clone(),
                title: detail.title.clone(),
                kind: d.kind.label(),
                file: format!("{} · {} · {}", detail.file_name, detail.media_type.label(), size(detail.size)),
                added: format!("{} · {}", d.uploaded_at.to_zoned(zone.clone()).strftime("%b %-d, %Y"), d.uploaded_by),
            }
        })
        .collect()
}

async fn documents_page(state: &AppState, actor: &Actor, id: ClientId) -> Result<DocumentsPage, PageError> {
    let chart = state.haven.chart(actor, id).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let details = &chart.details;
    Ok(DocumentsPage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: format!("{} {}", details.given_name.expose(), details.family_name.expose()),
        documents: document_rows(&chart.documents, &zone),
        kinds: chart.document_kinds,
        form: DocumentForm::default(),
        errors: FieldErrors::default(),
        notice: None,
    })
}

#[derive(Deserialize)]
pub(super) struct Added {
    added: Option<String>,
}

pub(super) async fn documents(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Query(added): Query<Added>,
) -> Result<Response, PageError> {
    let mut page = documents_page(&state, &actor, client_id(&id)?).await?;
    if let Some(added) = added.added {
        page.notice = page.documents.iter().find(|d| d.id == added).map(|d| format!("Added “{}”.", d.title));
    }
    Ok(render(StatusCode::OK, &page))
}

/// The upload form's fields, read from its parts.
struct Posted {
    form: DocumentForm,
    upload: Upload,
}

fn read_parts(content_type: &str, body: &[u8]) -> Option<Posted> {
    let boundary = multipart::boundary(content_type)?;
    let mut posted =
        Posted { form: DocumentForm::default(), upload: Upload { file_name: String::new(), bytes: Vec::new() } };
    for part in multipart::parse(body, &boundary).ok()? {
        let text = || String::from_utf8_lossy(part.data).into_owned();
        match (part.name.as_str(), &part.file_name) {
            ("file", Some(name)) => posted.upload = Upload { file_name: name.clone(), bytes: part.data.to_vec() },
            ("title", None) => posted.form.title = text(),
            ("kind", None) => posted.form.kind = text(),
            _ => {}
        }
    }
    Some(posted)
}

pub(super) async fn upload(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = to_bytes(request.into_body(), MAX_UPLOAD_BYTES).await.unwrap_or_default();
    let Some(posted) = read_parts(&content_type, &body) else {
        let mut errors = FieldErrors::default();
        errors.add("file", "did not arrive whole; choose it again and send the form once more");
        return refused(&state, &actor, id, DocumentForm::default(), errors).await;
    };
    match state.haven.upload_document(&actor, id, &posted.form, posted.upload).await {
        Ok(document) => Ok(Redirect::to(&format!("/clients/{id}/documents?added={document}")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(&state, &actor, id, posted.form, errors).await,
        Err(other) => Err(other.into()),
    }
}

/// The page again with the errors beside their fields and what was typed kept (a browser
/// never lets a page choose the file again: the error says so).
async fn refused(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    form: DocumentForm,
    mut errors: FieldErrors,
) -> Result<Response, PageError> {
    if errors.get("file").is_none() {
        errors.add("file", "must be chosen again (a browser forgets it when a form comes back)");
    }
    let page = DocumentsPage { form, errors, ..documents_page(state, actor, id).await? };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// One document's content, as the type it was found to be. Shown in the browser when it can
/// be shown safely, downloaded otherwise; never cached.
pub(super) async fn document(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, document)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (document, content) = state.haven.open_document(&actor, client_id(&id)?, &document).await?;
    Ok(file_response(document.detail.expose(), content.expose().clone()))
}

/// A stored file's content as the type it was found to be: shown in the browser when it can be
/// shown safely, downloaded otherwise.
pub(crate) fn file_response(detail: &domain::document::DocumentDetail, content: Vec<u8>) -> Response {
    let disposition = if detail.media_type.shown_inline() { "inline" } else { "attachment" };
    let headers = [
        (header::CONTENT_TYPE, detail.media_type.mime().to_owned()),
        (header::CONTENT_DISPOSITION, format!("{disposition}; {}", file_name_parameters(&detail.file_name))),
    ];
    (headers, Body::from(content)).into_response()
}

/// `filename="…"` in ASCII for old clients and `filename*=UTF-8''…` with the real name (RFC
/// 6266); the name was cleaned of quotes and control characters when it was stored.
fn file_name_parameters(name: &str) -> String {
    let ascii: String = name.chars().map(|c| if c.is_ascii() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

impl DocumentsPage {
    /// Whether `kind` is the one the form shows as chosen.
    fn chosen(&self, kind: &DocumentKind) -> bool {
        self.form.kind == kind.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_file_names_read_well_and_stay_inside_their_header() {
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(1_300_000), "1.2 MB");
        assert_eq!(
            file_name_parameters("résumé 2.pdf"),
            "filename=\"r_sum_ 2.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202.pdf"
        );
    }
}
