//! Diagnoses on the chart (CR-3), and the shipped ICD-10-CM list searched.

use super::*;

pub(super) async fn add_diagnosis(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<DiagnosisForm>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    match state.haven.add_diagnosis(&actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{id}#diagnoses")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = chart_page(&state, &actor, id).await?;
            page.error = Some("The diagnosis was not added: please correct the highlighted fields.".into());
            page.diagnosis_form = form;
            page.diagnosis_errors = errors;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn save_diagnosis(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, diagnosis)): Path<(String, String)>,
    Form(Versioned { version, form }): Form<Versioned<DiagnosisForm>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let diagnosis: DiagnosisId = diagnosis.parse().map_err(|_| ServiceError::NotFound)?;
    let version = version.trim().parse().unwrap_or(0);
    match state.haven.update_diagnosis(&actor, id, diagnosis, version, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}#diagnoses")).into_response()),
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let mut page = chart_page(&state, &actor, id).await?;
            let (status, error) = match e {
                ServiceError::Invalid(errors) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, format!("The diagnosis was not changed: {errors}."))
                }
                other => (StatusCode::CONFLICT, crate::stale::shown(&other.to_string())),
            };
            page.error = Some(error);
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "diagnosis_codes.html")]
pub(super) struct CodesPage {
    l: Layout,
    query: String,
    release: &'static str,
    codes: Vec<(&'static str, bool, String)>,
}

#[derive(Deserialize)]
pub(super) struct CodeQuery {
    #[serde(default)]
    q: String,
}

/// The shipped code list, searched: public reference data, so the words may be in the address.
pub(super) async fn diagnosis_codes(
    SignedIn(actor): SignedIn,
    axum::extract::Query(query): axum::extract::Query<CodeQuery>,
) -> Response {
    let q: String = query.q.chars().take(100).collect();
    let codes = search_icd10(&q, 60).into_iter().map(|c| (c.code, c.billable, c.description.clone())).collect();
    render(StatusCode::OK, &CodesPage { l: Layout::of(&actor), query: q, release: ICD10_RELEASE, codes })
}

with_layout!(CodesPage);
