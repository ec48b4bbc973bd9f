//! Signing intake forms in the portal: the form's whole text, a pad to draw a signature on
//! (haven.js; without script the ticked box and typed name sign alone), and the signing.

use domain::intake::SignatureForm;
use service::intake::FormToSign;

use super::*;

#[derive(Template)]
#[template(path = "portal_form.html")]
pub(super) struct FormPage {
    l: PortalLayout,
    form: FormToSign,
    typed_name: String,
    errors: FieldErrors,
}

with_portal_layout!(FormPage);

pub(super) async fn form(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Path((packet, item)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let form = state.haven.portal_form(&actor, &packet, &item).await?;
    let page =
        FormPage { l: PortalLayout::of(&actor), form, typed_name: String::new(), errors: FieldErrors::default() };
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn sign(
    State(state): State<AppState>,
    PortalSignedIn(actor): PortalSignedIn,
    Caller(from): Caller,
    Path((packet, item)): Path<(String, String)>,
    Form(signature): Form<SignatureForm>,
) -> Result<Response, PageError> {
    match state.haven.sign_portal_form(&actor, &packet, &item, &signature, &from.ip).await {
        Ok(()) => Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/portal?signed=1"))),
        Err(ServiceError::Invalid(errors)) => {
            let form = state.haven.portal_form(&actor, &packet, &item).await?;
            let page = FormPage { l: PortalLayout::of(&actor), form, typed_name: signature.typed_name, errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
