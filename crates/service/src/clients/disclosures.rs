//! Consents to disclose, disclosures and their accounting (CR-9, AU-4). A client's record is a
//! Part 2 record when the practice is a Part 2 program and the client has a substance use
//! disorder diagnosis; then only a consent on record that covers every part asked (unrevoked,
//! in force today), a medical emergency or a court order lets clinical parts out, and the
//! notice goes with them. On other bases, Part 2 content is withheld. Every disclosure is kept
//! (sealed) for the accounting and is an audit event naming what went out, in one transaction.

use domain::part2::{
    Basis, Consent, ConsentForm, DisclosureDetail, DisclosureRequest, REDISCLOSURE_NOTICE, RecordPart,
    is_substance_use_disorder,
};
use domain::policy::{Action, ChartPart};
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use store::{ConsentRecord, DisclosureRecord, SealedColumn, StoreError};

use super::sealing::{open_details, open_json, seal_json};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::valid;
use crate::{Actor, Haven, Result, ServiceError};

/// A consent on record, opened.
#[derive(Debug, Clone)]
pub struct ConsentView {
    pub id: String,
    pub consent: Phi<Consent>,
    pub recorded: (Timestamp, String),
    pub revoked: Option<(Timestamp, String)>,
    /// Unrevoked and within its dates today.
    pub in_force: bool,
}

/// A disclosure made, for the accounting.
#[derive(Debug, Clone)]
pub struct DisclosureView {
    pub id: String,
    pub detail: Phi<DisclosureDetail>,
    pub at: Timestamp,
    pub by: String,
}

/// A client's disclosure page: whether the record is Part 2, the consents and the accounting.
#[derive(Debug, Clone)]
pub struct Disclosures {
    pub part2: bool,
    pub consents: Vec<ConsentView>,
    pub accounting: Vec<DisclosureView>,
    /// The parts the actor may disclose.
    pub parts: Vec<RecordPart>,
}

/// One section of a disclosure: a heading and its lines.
#[derive(Debug, Clone)]
pub struct Section {
    pub part: RecordPart,
    pub lines: Vec<Phi<String>>,
}

/// What goes to the recipient: who and why, the notice for Part 2 records, and the record.
#[derive(Debug, Clone)]
pub struct DisclosurePackage {
    pub id: String,
    pub at: Timestamp,
    pub client_name: Phi<String>,
    pub recipient: Phi<String>,
    pub purpose: Phi<String>,
    pub basis: Basis,
    pub notice: Option<&'static str>,
    pub sections: Vec<Section>,
    /// Substance use disorder diagnoses left out because the basis does not reach them.
    pub withheld: usize,
}

/// The chart parts a record part is read from.
fn chart_parts(part: RecordPart) -> &'static [ChartPart] {
    match part {
        RecordPart::Demographics => &[ChartPart::Demographics],
        RecordPart::Diagnoses => &[ChartPart::Diagnoses],
        RecordPart::TreatmentPlan => &[ChartPart::Plan],
        RecordPart::Notes => &[ChartPart::Notes],
        RecordPart::Measures => &[ChartPart::Measures],
        RecordPart::Documents => &[ChartPart::Paperwork, ChartPart::ClinicalDocuments],
    }
}

const NOT_COVERED: &str = "the consent does not cover this disclosure (its parts, its dates, or it was revoked)";
const PART2_NEEDS_CONSENT: &str =
    "Part 2 records go out only with the client's written consent, in a medical emergency, or on a court order";

impl Haven {
    /// Whether the client's record is a Part 2 record.
    pub(crate) async fn is_part2(&self, practice: PracticeId, client: ClientId) -> Result<bool> {
        let program = self.store.practice(practice).await?.is_some_and(|p| p.rules.part2_program);
        if !program {
            return Ok(false);
        }
        let diagnoses = self.open_diagnoses(practice, client).await?;
        Ok(diagnoses.iter().any(|d| is_substance_use_disorder(&d.spec.detail.expose().code)))
    }

    async fn open_consents(&self, actor: &Actor, client: ClientId) -> Result<Vec<ConsentView>> {
        let practice = actor.practice();
        let today = self.today(actor).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let names = self.staff_names(practice).await?;
        let records = self.store.consents(practice, client).await?;
        records
            .into_iter()
            .map(|r| {
                let consent: Consent = open_json(&ring, practice, SealedColumn::ConsentContent, &r.id, &r.content)?;
                let in_force = r.revoked.is_none() && consent.covers(&[], today);
                Ok(ConsentView {
                    id: r.id,
                    consent: Phi::new(consent),
                    recorded: (r.created_at, names.of(r.created_by)),
                    revoked: r.revoked.map(|(at, by)| (at, names.of(by))),
                    in_force,
                })
            })
            .collect()
    }

    /// The client's consents and accounting of disclosures; the read is an audit event.
    pub async fn disclosures(&self, actor: &Actor, client: ClientId) -> Result<Disclosures> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::View, "disclosure.list").await?;
        let names = self.staff_names(practice).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let accounting = self
            .store
            .disclosures(practice, client)
            .await?
            .into_iter()
            .map(|r| {
                let detail: DisclosureDetail =
                    open_json(&ring, practice, SealedColumn::DisclosureDetail, &r.id, &r.detail)?;
                Ok(DisclosureView {
                    id: r.id,
                    detail: Phi::new(detail),
                    at: r.disclosed_at,
                    by: names.of(r.disclosed_by),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let may_disclose = access.allows(actor, ChartPart::Paperwork, Action::Update);
        let parts = RecordPart::ALL
            .iter()
            .copied()
            .filter(|p| may_disclose && chart_parts(*p).iter().any(|c| access.allows(actor, *c, Action::View)))
            .collect();
        Ok(Disclosures {
            part2: self.is_part2(practice, client).await?,
            consents: self.open_consents(actor, client).await?,
            accounting,
            parts,
        })
    }

    /// Records the client's written consent to disclose (paperwork: the front desk or the team).
    pub async fn record_consent(&self, actor: &Actor, client: ClientId, form: &ConsentForm) -> Result<String> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "consent.create").await?;
        let today = self.today(actor).await?;
        let consent = valid(|errors| form.validate(today, errors))?;
        let id = ClientId::random().to_string();
        self.add_consent(actor, client, &id, &consent, access.purpose_for(actor)).await?;
        Ok(id)
    }

    /// Keeps a consent the client signed (on paper, or in the portal: `id` is then the signed
    /// form's, so that the same signature is kept once), recorded by the actor.
    pub(crate) async fn add_consent(
        &self,
        actor: &Actor,
        client: ClientId,
        id: &str,
        consent: &Consent,
        purpose: &'static str,
    ) -> Result<()> {
        let practice = actor.practice();
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = ConsentRecord {
            content: seal_json(&ring, practice, SealedColumn::ConsentContent, id, consent)?,
            id: id.to_owned(),
            client,
            created_at: self.now(),
            created_by: actor.user(),
            revoked: None,
        };
        let entry = AuditEntry::new("consent.create", Crud::Create)
            .client(client)
            .resource("consent", id)
            .categories(&[ChartPart::Paperwork.category()])
            .purpose(purpose);
        self.recording_by(actor, entry)?.add_consent(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Revokes a consent of the client from now on (what it allowed before stays accounted).
    pub async fn revoke_consent(&self, actor: &Actor, client: ClientId, id: &str) -> Result<()> {
        let practice = actor.practice();
        self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Paperwork, Action::Update, "consent.revoke").await?;
        let entry = AuditEntry::new("consent.revoke", Crud::Update)
            .client(client)
            .resource("consent", id)
            .categories(&[ChartPart::Paperwork.category()])
            .purpose(access.purpose_for(actor));
        match self.recording_by(actor, entry)?.revoke_consent(practice, client, id, self.now(), actor.user()).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(ServiceError::Conflict("this consent was already revoked".into())),
            Err(other) => Err(other.into()),
        }
    }

    /// Discloses parts of the client's record to a recipient, if the basis allows every part:
    /// refused, it is an audit event naming the rule; made, it is kept for the accounting and
    /// its event names the records sent, both before anything is returned.
    pub async fn disclose(
        &self,
        actor: &Actor,
        client: ClientId,
        request: &DisclosureRequest,
    ) -> Result<DisclosurePackage> {
        let practice = actor.practice();
        let sealed_client = self.store.client(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.footing(actor, client).await?;
        let refusal = AuditEntry::new("disclosure.record", Crud::Execute)
            .client(client)
            .resource("client", client)
            .categories(&[ChartPart::Paperwork.category()])
            .purpose(request.basis.purpose_code());
        let refuse = async |rule: &'static str| -> Result<DisclosurePackage> {
            self.audited_by(actor, refusal.clone().denied(rule)).await?;
            Err(ServiceError::Denied(rule))
        };
        if actor.scopes().is_some() {
            return refuse("API tokens cannot disclose client records").await;
        }
        let may = |part: ChartPart, action: Action| access.allows(actor, part, action);
        if !may(ChartPart::Paperwork, Action::Update) {
            return refuse("disclosures are made by the front desk or the care team").await;
        }
        if request.parts.iter().any(|p| !chart_parts(*p).iter().any(|c| may(*c, Action::View))) {
            return refuse("a disclosure holds only what its maker may read").await;
        }

        let today = self.today(actor).await?;
        let part2 = self.is_part2(practice, client).await?;
        let (recipient, purpose, consent) = match (&request.consent, request.basis) {
            (Some(id), Basis::Consent) => {
                let consents = self.open_consents(actor, client).await?;
                let Some(found) = consents.iter().find(|c| &c.id == id) else { return refuse(NOT_COVERED).await };
                if found.revoked.is_some() || !found.consent.expose().covers(&request.parts, today) {
                    return refuse(NOT_COVERED).await;
                }
                let c = found.consent.expose();
                (c.recipient.clone(), c.purpose.clone(), Some(id.clone()))
            }
            _ => (request.recipient.clone(), request.purpose.clone(), None),
        };
        let reaches_part2 = request.basis.reaches_part2();
        if part2
            && !reaches_part2
            && request.parts.iter().any(|p| !matches!(p, RecordPart::Demographics | RecordPart::Diagnoses))
        {
            return refuse(PART2_NEEDS_CONSENT).await;
        }

        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let details = open_details(&ring, &practice.to_string(), &sealed_client)?;
        let client_name = format!("{} {}", details.given_name.expose(), details.family_name.expose());
        let mut records = Vec::new();
        let mut withheld = 0;
        let mut sections = Vec::new();
        for part in &request.parts {
            let lines = match part {
                RecordPart::Demographics => demographics_lines(&details),
                RecordPart::Diagnoses => {
                    let mut lines = Vec::new();
                    for d in self.open_diagnoses(practice, client).await? {
                        let detail = d.spec.detail.expose();
                        if part2 && !reaches_part2 && is_substance_use_disorder(&detail.code) {
                            withheld += 1;
                            continue;
                        }
                        records.push(format!("diagnosis:{}", d.id));
                        let onset = detail.onset.map(|o| format!(", onset {o}")).unwrap_or_default();
                        lines.push(format!("{} {} ({}{onset})", detail.code, d.description, d.spec.status.label()));
                    }
                    lines
                }
                RecordPart::TreatmentPlan => match self.open_plan(practice, client).await? {
                    Some(plan) => {
                        records.push(format!("treatment_plan:{}.{}", plan.id, plan.version));
                        plan_lines(plan.content.expose())
                    }
                    None => Vec::new(),
                },
                RecordPart::Notes => {
                    let mut lines = Vec::new();
                    for (header, content, template) in self.signed_notes_to_disclose(practice, client).await? {
                        records.push(format!("note:{}", header.id));
                        lines.push(format!("{} · {} · {}", content.service_date, header.name, header.author));
                        for (field, text) in content.sections(&template) {
                            if !text.trim().is_empty() {
                                lines.push(format!("{}: {}", field.label, text.trim()));
                            }
                        }
                    }
                    lines
                }
                RecordPart::Measures => {
                    let mut lines = Vec::new();
                    for m in self.open_measures(practice, client).await? {
                        records.push(format!("measure:{}", m.id));
                        let scored = m.scored.expose();
                        let total = scored.total.map(|t| t.to_string()).unwrap_or_else(|| "screen".into());
                        let band = scored.band.clone().unwrap_or_default();
                        lines.push(format!(
                            "{} on {}: {total} {band}",
                            m.instrument.name,
                            m.administered_at.strftime("%Y-%m-%d")
                        ));
                    }
                    lines
                }
                RecordPart::Documents => {
                    let documents = self.open_documents(practice, client, |p| may(p, Action::View)).await?;
                    documents
                        .iter()
                        .map(|d| {
                            records.push(format!("document:{}", d.id));
                            let detail = d.detail.expose();
                            format!(
                                "{} ({}, {}, {})",
                                detail.title,
                                d.kind.label(),
                                detail.file_name,
                                d.uploaded_at.strftime("%Y-%m-%d")
                            )
                        })
                        .collect()
                }
            };
            sections.push(Section { part: *part, lines: lines.into_iter().map(Phi::new).collect() });
        }

        let id = ClientId::random().to_string();
        let notice = (part2 && reaches_part2).then_some(REDISCLOSURE_NOTICE);
        let detail = DisclosureDetail {
            recipient: recipient.clone(),
            purpose: purpose.clone(),
            basis: request.basis,
            parts: request.parts.clone(),
            part2: notice.is_some(),
            records: records.clone(),
        };
        let at = self.now();
        let record = DisclosureRecord {
            detail: seal_json(&ring, practice, SealedColumn::DisclosureDetail, &id, &detail)?,
            id: id.clone(),
            client,
            consent: consent.clone(),
            disclosed_at: at,
            disclosed_by: actor.user(),
        };
        let recipient_id = *uuid::Uuid::parse_str(consent.as_deref().unwrap_or(&id)).unwrap_or_default().as_bytes();
        let mut categories: Vec<&'static str> =
            request.parts.iter().flat_map(|p| chart_parts(*p)).map(|c| c.category()).collect();
        if notice.is_some() {
            categories.push("part2");
        }
        let entry = AuditEntry::new("disclosure.record", Crud::Execute)
            .client(client)
            .resource("disclosure", &id)
            .categories(&categories)
            .purpose(request.basis.purpose_code())
            .disclosure(audit::event::Disclosure {
                recipient: recipient_id,
                purpose: request.basis.purpose_code().to_owned(),
                records,
                basis: request.basis.as_str().to_owned(),
            });
        self.recording_by(actor, entry)?.add_disclosure(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(DisclosurePackage {
            id,
            at,
            client_name: Phi::new(client_name),
            recipient: Phi::new(recipient),
            purpose: Phi::new(purpose),
            basis: request.basis,
            notice,
            sections,
            withheld,
        })
    }
}

pub(crate) fn demographics_lines(details: &domain::client::ClientDetails) -> Vec<String> {
    let mut lines = vec![
        format!("Name: {} {}", details.given_name.expose(), details.family_name.expose()),
        format!("Date of birth: {}", details.date_of_birth.expose()),
    ];
    if let Some(phone) = &details.phone {
        lines.push(format!("Phone: {}", phone.expose()));
    }
    if let Some(email) = &details.email {
        lines.push(format!("E-mail: {}", email.expose()));
    }
    lines
}

pub(crate) fn plan_lines(plan: &domain::plan::PlanContent) -> Vec<String> {
    let mut lines = Vec::new();
    for (n, problem) in plan.problems.iter().enumerate() {
        lines.push(format!("Problem {}: {}", n + 1, problem.text));
        for goal in &problem.goals {
            lines.push(format!("Goal ({}): {}", goal.status.label(), goal.text));
        }
    }
    lines
}
