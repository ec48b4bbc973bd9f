//! Intake packets: the practice's forms (kept as written; a new version replaces an old one),
//! packets of them sent to a client, and the client's signatures, each stored with its signed
//! copy in one transaction.
//!
//! The trait is what the service needs; its one implementation is over any [`Sql`] backend,
//! and `contract` holds the cases both backends pass.

use async_trait::async_trait;
use domain::{ClientId, PracticeId, UserId};
use jiff::Timestamp;

use crate::ai::insert_ai_consent;
use crate::documents::insert_document;
use crate::sql;
use crate::sql_store::*;
use crate::{AiConsentRecord, DocumentRecord, Result, Sql, SqlStore, Statement};

/// A form as the practice wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeFormRecord {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub created_by: UserId,
    pub created_at: Timestamp,
    /// The form this one is a new version of.
    pub replaces: Option<String>,
    pub retired_at: Option<Timestamp>,
}

/// A packet and its forms, in the order the client sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakePacketRecord {
    pub id: String,
    pub client: ClientId,
    pub sent_by: UserId,
    pub sent_at: Timestamp,
    pub withdrawn_at: Option<Timestamp>,
    pub reviewed: Option<(Timestamp, UserId)>,
    pub items: Vec<IntakeItemRecord>,
}

/// One form of a packet; once signed, the sealed signature and the document of its signed copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeItemRecord {
    pub id: String,
    pub form: String,
    pub signed: Option<SignedItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedItem {
    pub at: Timestamp,
    pub signature: Vec<u8>,
    pub document: String,
    /// The answers the form asked for, sealed; `None` for a form that only takes a signature.
    pub answers: Option<Vec<u8>>,
}

#[async_trait]
pub trait IntakeStore: Send + Sync {
    /// Adds a form; `replacing` (another form) is retired in the same transaction, and
    /// `NoRowChanged` if it was retired already.
    async fn add_intake_form(&self, practice: PracticeId, form: &IntakeFormRecord) -> Result<()>;
    /// `NoRowChanged` if the form is unknown or retired.
    async fn retire_intake_form(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<()>;
    /// Every form, retired ones too (signatures refer to them), oldest first.
    async fn intake_forms(&self, practice: PracticeId) -> Result<Vec<IntakeFormRecord>>;
    async fn intake_form(&self, practice: PracticeId, id: &str) -> Result<Option<IntakeFormRecord>>;
    async fn send_intake_packet(&self, practice: PracticeId, packet: &IntakePacketRecord) -> Result<()>;
    /// A client's packets, newest first.
    async fn intake_packets_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<IntakePacketRecord>>;
    async fn intake_packet(&self, practice: PracticeId, id: &str) -> Result<Option<IntakePacketRecord>>;
    /// Stores the signed copy and the signature together; `NoRowChanged` if the form was signed,
    /// or the packet withdrawn or reviewed, meanwhile, or the packet is not the client's.
    async fn sign_intake_item(
        &self,
        practice: PracticeId,
        client: ClientId,
        packet: &str,
        item: &str,
        signed: &SignedItem,
        copy: &DocumentRecord,
    ) -> Result<()>;
    /// Marks the packet reviewed, recording the AI consent it carried if any; `NoRowChanged` if
    /// it was reviewed or withdrawn, or is not the client's.
    async fn review_intake_packet(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        reviewed: (Timestamp, UserId),
        ai_consent: Option<&AiConsentRecord>,
    ) -> Result<()>;
    /// `NoRowChanged` if it was reviewed or withdrawn, or is not the client's.
    async fn withdraw_intake_packet(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
    ) -> Result<()>;
}

fn form(r: &Row) -> Result<IntakeFormRecord> {
    Ok(IntakeFormRecord {
        id: r.text(0)?,
        kind: r.text(1)?,
        title: r.text(2)?,
        body: r.text(3)?,
        created_by: r.parse(4)?,
        created_at: r.time(5)?,
        replaces: r.opt_text(6)?,
        retired_at: r.opt_time(7)?,
    })
}

fn packet(r: &Row) -> Result<IntakePacketRecord> {
    let reviewed = match r.opt_time(5)? {
        Some(at) => Some((at, r.parse(6)?)),
        None => None,
    };
    Ok(IntakePacketRecord {
        id: r.text(0)?,
        client: r.parse(1)?,
        sent_by: r.parse(2)?,
        sent_at: r.time(3)?,
        withdrawn_at: r.opt_time(4)?,
        reviewed,
        items: Vec::new(),
    })
}

/// (packet id, item) from an item row.
fn item(r: &Row) -> Result<(String, IntakeItemRecord)> {
    let signed = match (r.opt_time(4)?, r.opt_bytes(5)?, r.opt_text(6)?) {
        (Some(at), Some(signature), Some(document)) => {
            Some(SignedItem { at, signature, document, answers: r.opt_bytes(7)? })
        }
        _ => None,
    };
    Ok((r.text(0)?, IntakeItemRecord { id: r.text(1)?, form: r.text(2)?, signed }))
}

/// Gives each packet its items (rows ordered by packet, then position).
fn with_items(mut packets: Vec<IntakePacketRecord>, items: &[Row]) -> Result<Vec<IntakePacketRecord>> {
    for row in items {
        let (packet_id, item) = item(row)?;
        if let Some(packet) = packets.iter_mut().find(|p| p.id == packet_id) {
            packet.items.push(item);
        }
    }
    Ok(packets)
}

#[async_trait]
impl<S: Sql> IntakeStore for SqlStore<S> {
    async fn add_intake_form(&self, practice: PracticeId, f: &IntakeFormRecord) -> Result<()> {
        let params = vec![
            practice.into(),
            f.id.as_str().into(),
            f.kind.as_str().into(),
            f.title.as_str().into(),
            f.body.as_str().into(),
            f.created_by.into(),
            f.created_at.into(),
            f.replaces.as_deref().into(),
        ];
        let mut statements = Vec::new();
        if let Some(old) = &f.replaces {
            let retire = vec![practice.into(), old.as_str().into(), f.created_at.into()];
            statements.push(Statement::new(sql::RETIRE_INTAKE_FORM, retire).must_change_a_row());
        }
        statements.push(Statement::new(sql::INSERT_INTAKE_FORM, params));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn retire_intake_form(&self, practice: PracticeId, id: &str, at: Timestamp) -> Result<()> {
        let statement =
            Statement::new(sql::RETIRE_INTAKE_FORM, vec![practice.into(), id.into(), at.into()]).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }

    async fn intake_forms(&self, practice: PracticeId) -> Result<Vec<IntakeFormRecord>> {
        let rows = self.0.query(Some(practice), sql::INTAKE_FORMS, vec![practice.into()]).await?;
        rows.iter().map(form).collect()
    }

    async fn intake_form(&self, practice: PracticeId, id: &str) -> Result<Option<IntakeFormRecord>> {
        let row = self.query_one(Some(practice), sql::INTAKE_FORM, vec![practice.into(), id.into()]).await?;
        row.as_ref().map(form).transpose()
    }

    async fn send_intake_packet(&self, practice: PracticeId, p: &IntakePacketRecord) -> Result<()> {
        let params = vec![practice.into(), p.id.as_str().into(), p.client.into(), p.sent_by.into(), p.sent_at.into()];
        let mut statements = vec![Statement::new(sql::INSERT_INTAKE_PACKET, params)];
        for (position, item) in p.items.iter().enumerate() {
            let params = vec![
                practice.into(),
                item.id.as_str().into(),
                p.id.as_str().into(),
                item.form.as_str().into(),
                (position as i64).into(),
            ];
            statements.push(Statement::new(sql::INSERT_INTAKE_ITEM, params));
        }
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn intake_packets_of(&self, practice: PracticeId, client: ClientId) -> Result<Vec<IntakePacketRecord>> {
        let params = || vec![practice.into(), client.into()];
        let packets = self.0.query(Some(practice), sql::INTAKE_PACKETS_OF, params()).await?;
        let items = self.0.query(Some(practice), sql::INTAKE_ITEMS_OF_CLIENT, params()).await?;
        with_items(packets.iter().map(packet).collect::<Result<_>>()?, &items)
    }

    async fn intake_packet(&self, practice: PracticeId, id: &str) -> Result<Option<IntakePacketRecord>> {
        let params = || vec![practice.into(), id.into()];
        let Some(row) = self.query_one(Some(practice), sql::INTAKE_PACKET, params()).await? else {
            return Ok(None);
        };
        let items = self.0.query(Some(practice), sql::INTAKE_ITEMS_OF_PACKET, params()).await?;
        Ok(with_items(vec![packet(&row)?], &items)?.pop())
    }

    async fn sign_intake_item(
        &self,
        practice: PracticeId,
        client: ClientId,
        packet: &str,
        item: &str,
        signed: &SignedItem,
        copy: &DocumentRecord,
    ) -> Result<()> {
        let params = vec![
            practice.into(),
            packet.into(),
            item.into(),
            signed.at.into(),
            signed.signature.clone().into(),
            signed.document.as_str().into(),
            client.into(),
            signed.answers.clone().into(),
        ];
        let statements =
            vec![insert_document(practice, copy), Statement::new(sql::SIGN_INTAKE_ITEM, params).must_change_a_row()];
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn review_intake_packet(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        (at, by): (Timestamp, UserId),
        ai_consent: Option<&AiConsentRecord>,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), client.into(), at.into(), by.into()];
        let mut statements = vec![Statement::new(sql::REVIEW_INTAKE_PACKET, params).must_change_a_row()];
        statements.extend(ai_consent.map(|c| insert_ai_consent(practice, c)));
        self.0.transaction(Some(practice), statements).await.map(drop)
    }

    async fn withdraw_intake_packet(
        &self,
        practice: PracticeId,
        client: ClientId,
        id: &str,
        at: Timestamp,
    ) -> Result<()> {
        let params = vec![practice.into(), id.into(), client.into(), at.into()];
        let statement = Statement::new(sql::WITHDRAW_INTAKE_PACKET, params).must_change_a_row();
        self.0.transaction(Some(practice), vec![statement]).await.map(drop)
    }
}
