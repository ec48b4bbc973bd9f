//! A client's intake packets, for staff who keep the client's paperwork: sending the practice's
//! forms as a packet to the portal, each signature (typed name, mark, time, address, hash) with
//! its signed copy, and reviewing or withdrawing a packet.

use service::intake::{IntakeItem, IntakePacket};

use super::*;

#[derive(Template)]
#[template(path = "client_intake.html")]
pub(super) struct IntakePage {
    l: Layout,
    client: String,
    client_name: String,
    /// (id, title) of each current form.
    forms: Vec<(String, String)>,
    packets: Vec<PacketRow>,
    error: Option<String>,
    notice: Option<&'static str>,
}

with_layout!(IntakePage);

pub(super) struct PacketRow {
    id: String,
    sent: String,
    state: String,
    open: bool,
    signed: bool,
    items: Vec<ItemRow>,
}

pub(super) struct ItemRow {
    title: String,
    /// Who signed, when, from where, how and the text's hash; `None` while unsigned.
    signature: Option<String>,
    sha256: String,
    document: Option<String>,
    /// (label, value) of what the client gave: contact details (applied to the chart on
    /// review) or a Part 2 consent's terms (kept as a consent on review).
    answers: Vec<(&'static str, String)>,
}

async fn page(state: &AppState, actor: &Actor, id: ClientId) -> Result<IntakePage, PageError> {
    let chart = state.haven.chart(actor, id).await?;
    let packets = state.haven.intake_packets(actor, id).await?;
    let forms = state.haven.intake_forms(actor).await?;
    let zone = crate::sign_ins::time_zone(state, actor).await?;
    let day = |t: jiff::Timestamp| crate::when::date(t, &zone);
    let item = |i: IntakeItem| match i.signature {
        Some(s) => ItemRow {
            answers: i.answers.map(|a| a.expose().labelled()).unwrap_or_default(),
            title: i.title,
            signature: Some(format!(
                "Signed “{}” by the {} on {}, from {}, {}",
                s.typed_name.expose(),
                s.holder,
                crate::when::moment(s.signed_at, &zone),
                s.ip.expose(),
                if s.drawn { "with a drawn mark" } else { "by ticking the box" }
            )),
            sha256: s.text_sha256,
            document: Some(s.document),
        },
        None => ItemRow { title: i.title, signature: None, sha256: String::new(), document: None, answers: Vec::new() },
    };
    let packet = |p: IntakePacket| PacketRow {
        state: match (&p.reviewed, p.withdrawn_at) {
            (Some((at, by)), _) => format!("Reviewed {} by {by}", day(*at)),
            (None, Some(at)) => format!("Withdrawn {}", day(at)),
            (None, None) if p.is_signed() => "Signed; waiting for review".into(),
            (None, None) => "Waiting for the client".into(),
        },
        open: p.is_open(),
        signed: p.is_signed(),
        sent: format!("{} by {}", day(p.sent_at), p.sent_by),
        id: p.id,
        items: p.items.into_iter().map(item).collect(),
    };
    let d = &chart.details;
    Ok(IntakePage {
        l: Layout::of(actor),
        client: id.to_string(),
        client_name: format!("{} {}", d.given_name.expose(), d.family_name.expose()),
        forms: forms.into_iter().filter(|f| f.retired_at.is_none()).map(|f| (f.id, f.title)).collect(),
        packets: packets.into_iter().map(packet).collect(),
        error: None,
        notice: None,
    })
}

pub(super) async fn intake(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &actor, client_id(&id)?).await?;
    page.notice = match done.done.as_deref() {
        Some("sent") => Some("The packet is waiting in the client's portal; they were told by e-mail."),
        Some("reviewed") => Some("Reviewed. An AI consent the packet carried is now recorded on the chart."),
        Some("withdrawn") => Some("Withdrawn. Forms already signed stay signed and filed."),
        _ => None,
    };
    Ok(render(StatusCode::OK, &page))
}

pub(super) async fn send_packet(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    let chosen: Vec<String> = fields.into_iter().filter(|(k, _)| k == "forms").map(|(_, v)| v).collect();
    match state.haven.send_intake_packet(&actor, client, &chosen).await {
        Ok(_) => Ok(Redirect::to(&format!("/clients/{client}/intake?done=sent")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(&state, &actor, client, errors.to_string()).await,
        Err(ServiceError::Conflict(why)) => refused(&state, &actor, client, why).await,
        Err(e) => Err(e.into()),
    }
}

async fn refused(state: &AppState, actor: &Actor, client: ClientId, why: String) -> Result<Response, PageError> {
    let mut page = page(state, actor, client).await?;
    page.error = Some(why);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub(super) async fn review_packet(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, packet)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    match state.haven.review_intake_packet(&actor, client, &packet).await {
        Ok(()) => Ok(Redirect::to(&format!("/clients/{client}/intake?done=reviewed")).into_response()),
        Err(ServiceError::Conflict(why)) => refused(&state, &actor, client, why).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn withdraw_packet(
    State(state): State<AppState>,
    SignedIn(actor): SignedIn,
    Path((id, packet)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let client = client_id(&id)?;
    state.haven.withdraw_intake_packet(&actor, client, &packet).await?;
    Ok(Redirect::to(&format!("/clients/{client}/intake?done=withdrawn")).into_response())
}
