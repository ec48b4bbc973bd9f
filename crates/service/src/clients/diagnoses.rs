//! Diagnoses on a client's record (CR-3): added and changed by the care team, read by the care
//! team and billing, each through the chart policy and the audit log, the detail sealed.

use domain::diagnosis::{DiagnosisDetail, DiagnosisForm, DiagnosisSpec, icd10};
use domain::policy::{Action, ChartPart};
use domain::{ClientId, DiagnosisId, Phi, PracticeId};
use store::{DiagnosisRecord, SealedColumn, StoreError};

use super::sealing::{open_cell, seal_cell};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::{stale, valid};
use crate::{Actor, Haven, Result, ServiceError};

/// A diagnosis as the chart shows it.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub id: DiagnosisId,
    pub spec: DiagnosisSpec,
    /// The code's title from the code list (not PHI on its own).
    pub description: String,
    pub billable: bool,
    /// Rises with each saved change; a change is made from it.
    pub version: i64,
}

impl Haven {
    /// The client's diagnoses, opened. Callers have been let into the chart's diagnoses and
    /// have recorded the read.
    pub(crate) async fn open_diagnoses(&self, practice: PracticeId, client: ClientId) -> Result<Vec<Diagnosis>> {
        let records = self.store.diagnoses(practice, client).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        records
            .into_iter()
            .map(|r| {
                let plain = open_cell(&ring, practice, SealedColumn::DiagnosisDetail, &r.id.to_string(), &r.detail)?;
                let detail: DiagnosisDetail = serde_json::from_slice(plain.expose())
                    .map_err(|_| ServiceError::Internal(format!("diagnosis {} is not readable", r.id)))?;
                let known = icd10(&detail.code);
                Ok(Diagnosis {
                    id: r.id,
                    description: known
                        .map(|c| c.description.clone())
                        .unwrap_or_else(|| "not in the current code list".into()),
                    billable: known.is_some_and(|c| c.billable),
                    spec: DiagnosisSpec { detail: Phi::new(detail), rank: r.rank, status: r.status },
                    version: r.version,
                })
            })
            .collect()
    }

    pub(crate) fn sealed_detail(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        id: DiagnosisId,
        spec: &DiagnosisSpec,
    ) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(spec.detail.expose())
            .map_err(|e| ServiceError::Internal(format!("encoding a diagnosis failed: {e}")))?;
        seal_cell(ring, practice, SealedColumn::DiagnosisDetail, &id.to_string(), &json)
    }

    /// Records a diagnosis on the client's record: a billable code of the shipped list, an
    /// onset not in the future, a rank of 1 to 12.
    pub async fn add_diagnosis(&self, actor: &Actor, client: ClientId, form: &DiagnosisForm) -> Result<DiagnosisId> {
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Diagnoses, Action::Update, "diagnosis.create").await?;
        let today = self.today(actor).await?;
        let spec = valid(|errors| form.validate(today, errors))?;
        let (practice, id, now) = (actor.practice(), DiagnosisId::random(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = DiagnosisRecord {
            id,
            client,
            detail: self.sealed_detail(&ring, practice, id, &spec)?,
            rank: spec.rank,
            status: spec.status,
            version: 1,
            created_at: now,
            created_by: actor.user(),
            updated_at: None,
        };
        let entry = AuditEntry::new("diagnosis.create", Crud::Create)
            .client(client)
            .resource("diagnosis", id)
            .categories(&["diagnoses"])
            .purpose(access.purpose_for(actor));
        self.recording_by(actor, entry)?.insert_diagnoses(practice, &[record]).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    /// Saves a change to a diagnosis (its rank, status, dates or note) made from `version`.
    pub async fn update_diagnosis(
        &self,
        actor: &Actor,
        client: ClientId,
        id: DiagnosisId,
        version: i64,
        form: &DiagnosisForm,
    ) -> Result<()> {
        let practice = actor.practice();
        let current = self.store.diagnoses(practice, client).await?.into_iter().find(|d| d.id == id);
        let current = current.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, client, ChartPart::Diagnoses, Action::Update, "diagnosis.update").await?;
        let today = self.today(actor).await?;
        let spec = valid(|errors| form.validate(today, errors))?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let record = DiagnosisRecord {
            detail: self.sealed_detail(&ring, practice, id, &spec)?,
            rank: spec.rank,
            status: spec.status,
            version,
            updated_at: Some(self.now()),
            ..current
        };
        let entry = AuditEntry::new("diagnosis.update", Crud::Update)
            .client(client)
            .resource("diagnosis", id)
            .categories(&["diagnoses"])
            .purpose(access.purpose_for(actor));
        match self.recording_by(actor, entry)?.update_diagnosis(practice, &record).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("diagnosis")),
            Err(other) => Err(other.into()),
        }
    }
}
