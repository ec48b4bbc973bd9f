//! Static assets, embedded in the binary: no CDN, nothing fetched at run time.
//! htmx is vendored from the npm package `htmx.org` (BSD-2-Clause), see assets/README.md.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::routes::Routes;

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("htmx.min.js", "text/javascript", include_bytes!("../assets/htmx.min.js")),
    ("haven.js", "text/javascript", include_bytes!("../assets/haven.js")),
    ("haven.css", "text/css", include_bytes!("../assets/haven.css")),
    ("favicon.svg", "image/svg+xml", include_bytes!("../assets/favicon.svg")),
];

pub(crate) fn routes() -> Routes {
    Routes::new().get("/assets/{name}", asset)
}

async fn asset(Path(name): Path<String>) -> Response {
    let Some((_, mime, body)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        *body,
    )
        .into_response()
}
