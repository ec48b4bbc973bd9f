//! Giving an outcome measure in session (CR-7), and acknowledging the alert it raised.

use super::*;

/// One item of an administration form.
pub(super) struct Item {
    number: usize,
    text: String,
    /// (value, label, chosen) of each answer.
    choices: Vec<(u8, String, bool)>,
}

#[derive(Template)]
#[template(path = "measure_form.html")]
pub(super) struct MeasurePage {
    l: Layout,
    client: String,
    instrument: &'static str,
    stem: &'static str,
    items: Vec<Item>,
    cssrs: bool,
    behaviour_recent: bool,
    source: String,
    error: Option<String>,
}

pub(super) fn measure_page(
    actor: &Actor,
    client: ClientId,
    name: &str,
    answers: &[Option<u8>],
    recent: bool,
) -> Result<MeasurePage, ServiceError> {
    let instrument = domain::measures::instrument(name).ok_or(ServiceError::NotFound)?;
    let questions = instrument.questions();
    let items = (0..instrument.items)
        .map(|i| {
            let text = match questions {
                Some((_, texts, _)) => texts[i].to_owned(),
                None => format!("Item {} (from your {} form)", i + 1, instrument.name),
            };
            let choices = (instrument.item_min..=instrument.item_max)
                .map(|v| {
                    let label = match (questions, instrument.is_cssrs()) {
                        (Some((_, _, labels)), _) => format!("{v} · {}", labels[usize::from(v)]),
                        (None, true) => {
                            if v == 0 {
                                "No".into()
                            } else {
                                "Yes".into()
                            }
                        }
                        (None, false) => v.to_string(),
                    };
                    (v, label, answers.get(i).copied().flatten() == Some(v))
                })
                .collect();
            Item { number: i + 1, text, choices }
        })
        .collect();
    Ok(MeasurePage {
        l: Layout::of(actor),
        client: client.to_string(),
        instrument: instrument.name,
        stem: questions.map_or("", |(stem, _, _)| stem),
        items,
        cssrs: instrument.is_cssrs(),
        behaviour_recent: recent,
        source: instrument.source.clone(),
        error: None,
    })
}

#[derive(Deserialize)]
pub(super) struct InstrumentQuery {
    #[serde(default)]
    instrument: String,
}

pub(super) async fn new_measure(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<InstrumentQuery>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    // The chart's own check: only those who may administer get the form.
    if !state.haven.chart(&actor, id).await?.can_administer {
        return Err(ServiceError::Denied("outcome measures are given by the care team").into());
    }
    Ok(render(StatusCode::OK, &measure_page(&actor, id, &query.instrument, &[], false)?))
}

/// An administration as posted: `instrument`, `item1` … `itemN`, and `behaviour_recent`.
pub(super) async fn administer(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let name = field("instrument").unwrap_or_default().to_owned();
    let items = domain::measures::instrument(&name).map_or(0, |i| i.items);
    let answers: Vec<Option<u8>> =
        (1..=items).map(|i| field(&format!("item{i}")).and_then(|v| v.parse().ok())).collect();
    let recent = field("behaviour_recent").is_some();
    let missing: Vec<String> =
        answers.iter().enumerate().filter(|(_, a)| a.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
    let outcome = if missing.is_empty() {
        let given: Vec<u8> = answers.iter().flatten().copied().collect();
        state.haven.administer_measure(&actor, id, &name, &given, recent).await.map(drop)
    } else {
        let mut errors = FieldErrors::default();
        errors.add("answers", format!("answer every item; missing: {}", missing.join(", ")));
        Err(ServiceError::Invalid(errors))
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{id}#measures")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = measure_page(&actor, id, &name, &answers, recent)?;
            page.error = errors.get("answers").map(|e| format!("Not saved: {e}."));
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn acknowledge(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, measure)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = client_id(&id)?;
    let measure: domain::MeasureId = measure.parse().map_err(|_| ServiceError::NotFound)?;
    state.haven.acknowledge_risk(&actor, id, measure).await?;
    Ok(Redirect::to(&format!("/clients/{id}#measures")).into_response())
}

with_layout!(MeasurePage);
