//! A message as posted: the subject and body, and the one file it may carry. The form is sent
//! as `multipart/form-data` when a file is chosen and urlencoded otherwise; the form-token guard
//! has already read it, bounded to an upload's size.

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use domain::portal::MessageForm;
use service::Upload;

use crate::csrf::MAX_UPLOAD_BYTES;
use crate::error::PageError;
use crate::multipart;

pub(crate) struct MessagePost {
    pub form: MessageForm,
    pub file: Option<Upload>,
}

impl<S: Send + Sync> FromRequest<S> for MessagePost {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, PageError> {
        let content_type =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = to_bytes(request.into_body(), MAX_UPLOAD_BYTES).await.unwrap_or_default();
        let Some(boundary) = multipart::boundary(&content_type) else {
            let form = serde_urlencoded::from_bytes(&body).unwrap_or_default();
            return Ok(MessagePost { form, file: None });
        };
        let mut post = MessagePost { form: MessageForm::default(), file: None };
        // A form cut short keeps nothing: the service then asks for the message again.
        for part in multipart::parse(&body, &boundary).unwrap_or_default() {
            let text = || String::from_utf8_lossy(part.data).into_owned();
            match (part.name.as_str(), &part.file_name) {
                ("file", Some(name)) => post.file = Some(Upload { file_name: name.clone(), bytes: part.data.to_vec() }),
                ("subject", None) => post.form.subject = text(),
                ("body", None) => post.form.body = text(),
                ("ai_request", None) => post.form.ai_request = text(),
                _ => {}
            }
        }
        Ok(post)
    }
}
