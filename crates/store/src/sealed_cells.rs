//! Sealed columns outside the clients table, named so that key rotation and verification reach
//! every one: a new sealed column is a new [`SealedColumn`], and nothing else needs to know.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::PracticeId;

use crate::sql;
use crate::{Result, Sql, SqlStore, Statement};

/// A sealed column, by table and column: what its values are bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SealedColumn {
    /// The typed reason for breaking the glass.
    GlassBreakReason,
    /// A diagnosis: its code, dates and note.
    DiagnosisDetail,
    /// An outcome measure's answers, total and band.
    MeasureResult,
    /// A note's current content, each saved version's, and each addendum's text.
    NoteContent,
    NoteVersionContent,
    NoteAddendum,
    /// A treatment plan's current content, and each saved version's.
    PlanContent,
    PlanVersionContent,
    /// A document's description, and the key its content (a file) is sealed under.
    DocumentDetail,
    DocumentKey,
    /// A consent to disclose, and a disclosure made.
    ConsentContent,
    DisclosureDetail,
    /// A couple's or family's label.
    GroupLabel,
    /// Why an appointment was cancelled or missed.
    AppointmentReason,
    /// What a clinician gave an AI assistant, the exact request prepared from it (de-identified)
    /// and the model's answer (de-identified).
    AiInput,
    AiPayload,
    AiAnswer,
    /// A portal account's sign-in address, and the name it greets its holder by.
    PortalEmail,
    PortalName,
    /// A message thread's subject, and each message's body.
    MessageSubject,
    MessageBody,
    /// A message attachment's description, and the key its content is sealed under.
    MessageAttachmentDetail,
    MessageAttachmentKey,
    /// A client's signature on an intake form: typed name, mark, time, address, the text's hash.
    IntakeSignature,
    /// The answers a client gave on an intake form (their contact details).
    IntakeAnswers,
    /// A portal account's authenticator-app secret.
    PortalTotpSecret,
    /// A batch of claims as sent: the 837P file.
    ClaimBatchContent,
    /// A remittance as imported: the 835 file.
    RemittanceContent,
    /// A security incident's account and risk assessment.
    IncidentContent,
    /// A legal hold's matter (the case or request it answers).
    LegalHoldMatter,
    /// What a clearinghouse's acknowledgement said (errors, statuses).
    AcknowledgementDetail,
    /// An eligibility inquiry as sent (the 270) and the payer's answer (the 271).
    EligibilityRequest,
    EligibilityAnswer,
    /// A client's household and its income, as a sliding-fee assessment recorded them.
    SlidingFeeDetail,
}

impl SealedColumn {
    pub const ALL: [SealedColumn; 34] = [
        SealedColumn::GlassBreakReason,
        SealedColumn::DiagnosisDetail,
        SealedColumn::MeasureResult,
        SealedColumn::NoteContent,
        SealedColumn::NoteVersionContent,
        SealedColumn::NoteAddendum,
        SealedColumn::PlanContent,
        SealedColumn::PlanVersionContent,
        SealedColumn::DocumentDetail,
        SealedColumn::DocumentKey,
        SealedColumn::ConsentContent,
        SealedColumn::DisclosureDetail,
        SealedColumn::GroupLabel,
        SealedColumn::AppointmentReason,
        SealedColumn::AiInput,
        SealedColumn::AiPayload,
        SealedColumn::AiAnswer,
        SealedColumn::PortalEmail,
        SealedColumn::PortalName,
        SealedColumn::MessageSubject,
        SealedColumn::MessageBody,
        SealedColumn::MessageAttachmentDetail,
        SealedColumn::MessageAttachmentKey,
        SealedColumn::IntakeSignature,
        SealedColumn::IntakeAnswers,
        SealedColumn::PortalTotpSecret,
        SealedColumn::ClaimBatchContent,
        SealedColumn::RemittanceContent,
        SealedColumn::IncidentContent,
        SealedColumn::LegalHoldMatter,
        SealedColumn::AcknowledgementDetail,
        SealedColumn::EligibilityRequest,
        SealedColumn::EligibilityAnswer,
        SealedColumn::SlidingFeeDetail,
    ];

    pub fn table(self) -> &'static str {
        match self {
            SealedColumn::GlassBreakReason => "glass_breaks",
            SealedColumn::DiagnosisDetail => "diagnoses",
            SealedColumn::MeasureResult => "measures",
            SealedColumn::NoteContent => "notes",
            SealedColumn::NoteVersionContent => "note_versions",
            SealedColumn::NoteAddendum => "note_addenda",
            SealedColumn::PlanContent => "treatment_plans",
            SealedColumn::PlanVersionContent => "treatment_plan_versions",
            SealedColumn::DocumentDetail | SealedColumn::DocumentKey => "documents",
            SealedColumn::ConsentContent => "consents",
            SealedColumn::DisclosureDetail => "disclosures",
            SealedColumn::GroupLabel => "client_groups",
            SealedColumn::AppointmentReason => "appointments",
            SealedColumn::AiInput | SealedColumn::AiPayload | SealedColumn::AiAnswer => "ai_requests",
            SealedColumn::PortalEmail | SealedColumn::PortalName => "portal_accounts",
            SealedColumn::MessageSubject => "message_threads",
            SealedColumn::MessageBody => "messages",
            SealedColumn::MessageAttachmentDetail | SealedColumn::MessageAttachmentKey => "message_attachments",
            SealedColumn::IntakeSignature | SealedColumn::IntakeAnswers => "intake_signatures",
            SealedColumn::PortalTotpSecret => "portal_totp_factors",
            SealedColumn::ClaimBatchContent => "claim_batches",
            SealedColumn::RemittanceContent => "remittances",
            SealedColumn::IncidentContent => "incidents",
            SealedColumn::LegalHoldMatter => "legal_holds",
            SealedColumn::AcknowledgementDetail => "claim_acknowledgements",
            SealedColumn::EligibilityRequest | SealedColumn::EligibilityAnswer => "eligibility_checks",
            SealedColumn::SlidingFeeDetail => "sliding_fee_assessments",
        }
    }

    pub fn column(self) -> &'static str {
        match self {
            SealedColumn::GlassBreakReason => "reason",
            SealedColumn::DiagnosisDetail => "detail",
            SealedColumn::MeasureResult => "result",
            SealedColumn::GroupLabel => "label",
            SealedColumn::AppointmentReason => "reason",
            SealedColumn::DocumentDetail | SealedColumn::DisclosureDetail => "detail",
            SealedColumn::DocumentKey => "content_key",
            SealedColumn::AiInput => "input",
            SealedColumn::AiPayload => "payload",
            SealedColumn::AiAnswer => "answer",
            SealedColumn::PortalEmail => "email",
            SealedColumn::PortalName => "name",
            SealedColumn::MessageSubject => "subject",
            SealedColumn::MessageBody => "body",
            SealedColumn::IntakeSignature => "signature",
            SealedColumn::IntakeAnswers => "answers",
            SealedColumn::PortalTotpSecret => "secret",
            SealedColumn::ClaimBatchContent | SealedColumn::RemittanceContent | SealedColumn::IncidentContent => {
                "content"
            }
            SealedColumn::LegalHoldMatter => "matter",
            SealedColumn::AcknowledgementDetail | SealedColumn::SlidingFeeDetail => "detail",
            SealedColumn::MessageAttachmentDetail => "detail",
            SealedColumn::MessageAttachmentKey => "content_key",
            SealedColumn::EligibilityRequest => "request",
            SealedColumn::EligibilityAnswer => "answer",
            SealedColumn::NoteContent
            | SealedColumn::NoteVersionContent
            | SealedColumn::NoteAddendum
            | SealedColumn::PlanContent
            | SealedColumn::PlanVersionContent
            | SealedColumn::ConsentContent => "content",
        }
    }

    /// (page, reseal) statements.
    fn statements(self) -> (&'static str, &'static str) {
        match self {
            SealedColumn::GlassBreakReason => sql::GLASS_BREAK_REASON_CELLS,
            SealedColumn::DiagnosisDetail => sql::DIAGNOSIS_DETAIL_CELLS,
            SealedColumn::MeasureResult => sql::MEASURE_RESULT_CELLS,
            SealedColumn::NoteContent => sql::NOTE_CONTENT_CELLS,
            SealedColumn::NoteVersionContent => sql::NOTE_VERSION_CELLS,
            SealedColumn::NoteAddendum => sql::NOTE_ADDENDUM_CELLS,
            SealedColumn::PlanContent => sql::PLAN_CONTENT_CELLS,
            SealedColumn::PlanVersionContent => sql::PLAN_VERSION_CELLS,
            SealedColumn::DocumentDetail => sql::DOCUMENT_DETAIL_CELLS,
            SealedColumn::DocumentKey => sql::DOCUMENT_KEY_CELLS,
            SealedColumn::ConsentContent => sql::CONSENT_CELLS,
            SealedColumn::DisclosureDetail => sql::DISCLOSURE_CELLS,
            SealedColumn::GroupLabel => sql::GROUP_LABEL_CELLS,
            SealedColumn::AppointmentReason => sql::APPOINTMENT_REASON_CELLS,
            SealedColumn::AiInput => sql::AI_INPUT_CELLS,
            SealedColumn::AiPayload => sql::AI_PAYLOAD_CELLS,
            SealedColumn::AiAnswer => sql::AI_ANSWER_CELLS,
            SealedColumn::PortalEmail => sql::PORTAL_EMAIL_CELLS,
            SealedColumn::PortalName => sql::PORTAL_NAME_CELLS,
            SealedColumn::MessageSubject => sql::MESSAGE_SUBJECT_CELLS,
            SealedColumn::MessageBody => sql::MESSAGE_BODY_CELLS,
            SealedColumn::IntakeSignature => sql::INTAKE_SIGNATURE_CELLS,
            SealedColumn::IntakeAnswers => sql::INTAKE_ANSWERS_CELLS,
            SealedColumn::MessageAttachmentDetail => sql::MESSAGE_ATTACHMENT_DETAIL_CELLS,
            SealedColumn::MessageAttachmentKey => sql::MESSAGE_ATTACHMENT_KEY_CELLS,
            SealedColumn::PortalTotpSecret => sql::PORTAL_TOTP_CELLS,
            SealedColumn::ClaimBatchContent => sql::CLAIM_BATCH_CELLS,
            SealedColumn::RemittanceContent => sql::REMITTANCE_CELLS,
            SealedColumn::IncidentContent => sql::INCIDENT_CELLS,
            SealedColumn::LegalHoldMatter => sql::LEGAL_HOLD_CELLS,
            SealedColumn::AcknowledgementDetail => sql::ACKNOWLEDGEMENT_CELLS,
            SealedColumn::EligibilityRequest => sql::ELIGIBILITY_REQUEST_CELLS,
            SealedColumn::EligibilityAnswer => sql::ELIGIBILITY_ANSWER_CELLS,
            SealedColumn::SlidingFeeDetail => sql::SLIDING_FEE_CELLS,
        }
    }
}

/// One sealed value and the id of its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedCell {
    pub row: String,
    pub sealed: Vec<u8>,
}

#[async_trait]
pub trait SealedCellStore: Send + Sync {
    /// Up to `limit` values of `column` in rows after `after`, in id order.
    async fn sealed_cells(
        &self,
        practice: PracticeId,
        column: SealedColumn,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SealedCell>>;
    /// For each (cell as read, new value): replaces the value if it is still the one read.
    /// One transaction; returns how many rows it changed.
    async fn reseal_cells(
        &self,
        practice: PracticeId,
        column: SealedColumn,
        changes: &[(SealedCell, Vec<u8>)],
    ) -> Result<u64>;
}

#[async_trait]
impl<S: Sql> SealedCellStore for SqlStore<S> {
    async fn sealed_cells(
        &self,
        practice: PracticeId,
        column: SealedColumn,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SealedCell>> {
        // Ids are UUID text; "" sorts before every one of them.
        let params = vec![practice.into(), after.unwrap_or_default().into(), i64::from(limit).into()];
        let rows = self.0.query(Some(practice), column.statements().0, params).await?;
        rows.iter().map(|r| Ok(SealedCell { row: r.text(0)?, sealed: r.bytes(1)? })).collect()
    }

    async fn reseal_cells(
        &self,
        practice: PracticeId,
        column: SealedColumn,
        changes: &[(SealedCell, Vec<u8>)],
    ) -> Result<u64> {
        let statement = |(cell, new): &(SealedCell, Vec<u8>)| {
            let params =
                vec![practice.into(), cell.row.as_str().into(), new.clone().into(), cell.sealed.clone().into()];
            Statement::new(column.statements().1, params)
        };
        self.conditional_updates(practice, changes.iter().map(statement).collect()).await
    }
}
