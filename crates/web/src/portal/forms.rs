//! Signing intake forms in the portal: the form's whole text, a pad to draw a signature on
//! (haven.js; without script the ticked box and typed name sign alone), and the signing.

use domain::intake::{ContactAnswers, Part2Typed, SignatureForm};
use domain::part2::RecordPart;
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

/// One contact detail as the signing page asks for it.
pub(super) struct ContactInput<'a> {
    field: &'static str,
    label: &'static str,
    value: String,
    error: Option<&'a str>,
    /// The input's type and what a phone may fill it with.
    kind: &'static str,
    autocomplete: &'static str,
}

impl FormPage {
    /// A Part 2 consent's parts of the record: (value, label, ticked).
    fn record_parts(&self) -> Vec<(&'static str, &'static str, bool)> {
        let ticked = self.form.part2.as_ref().map(|t| t.parts.as_slice()).unwrap_or_default();
        RecordPart::ALL.iter().map(|p| (p.as_str(), p.label(), ticked.iter().any(|t| t == p.as_str()))).collect()
    }

    fn contact_fields(&self) -> Vec<ContactInput<'_>> {
        let Some(answers) = &self.form.contact else { return Vec::new() };
        ContactAnswers::FIELDS
            .iter()
            .zip(answers.labelled())
            .map(|((field, label), (_, value))| {
                let (kind, autocomplete) = match *field {
                    "phone" | "emergency_phone" => ("tel", "tel"),
                    "email" => ("email", "email"),
                    "preferred_name" => ("text", "nickname"),
                    "address_line1" => ("text", "address-line1"),
                    "address_line2" => ("text", "address-line2"),
                    "city" => ("text", "address-level2"),
                    "state" => ("text", "address-level1"),
                    "postal_code" => ("text", "postal-code"),
                    _ => ("text", "off"),
                };
                let value = value.to_owned();
                ContactInput { field, label, value, error: self.errors.get(field), kind, autocomplete }
            })
            .collect()
    }
}

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
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let signature = SignatureForm {
        typed_name: field("typed_name").unwrap_or_default(),
        strokes: field("strokes").unwrap_or_default(),
        agree: field("agree"),
    };
    match state.haven.sign_portal_form(&actor, &packet, &item, &signature, &fields, &from.ip).await {
        Ok(()) => Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/portal?signed=1"))),
        Err(ServiceError::Invalid(errors)) => {
            let mut form = state.haven.portal_form(&actor, &packet, &item).await?;
            // What was typed comes back as typed.
            form.contact = form.contact.map(|_| ContactAnswers::from_fields(&fields));
            form.part2 = form.part2.map(|_| Part2Typed::from_fields(&fields));
            let page = FormPage { l: PortalLayout::of(&actor), form, typed_name: signature.typed_name, errors };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
