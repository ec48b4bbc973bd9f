//! Cards on file and autopay (BI-7). A card is saved on the processor's hosted page, as a card
//! payment is taken: Haven keeps the processor's ids for it and its brand, last four digits and
//! expiry to show, never the number. With a card on file and a payment plan, the client (in the
//! portal) or staff (on the client's word) may turn autopay on: on each installment's day the
//! server charges what is due and unpaid to the card, once — the day is claimed before the
//! processor is asked, and the claim's id is the processor's idempotency key, so neither a retry
//! after a lost answer nor a second server charges twice. A declined card is shown on the ledger
//! with the processor's reason and tried again only on the next installment's day.

use domain::ClientId;
use domain::PracticeId;
use domain::money::Cents;
use domain::policy::{Action, Resource};
use jiff::Timestamp;
use jiff::civil::Date;
use store::{AutopayChargeRecord, ClientPaymentRecord, PaymentPlanRecord, SavedCardRecord};

use super::cards::PORTAL;
use super::change_entry;
use super::{CardSetupRequest, ChargeOutcome, PaymentError, SavedCardCharge, SetupState};
use crate::audit_log::{AuditEntry, Crud, Who};
use crate::portal::PortalActor;
use crate::{Actor, Haven, Result, ServiceError};

/// How a payment charged to a card on file names who recorded it.
pub(super) const AUTOPAY: &str = "autopay";

/// A card on file, as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOnFile {
    pub brand: String,
    pub last4: String,
    /// "08/2029"
    pub expires: String,
    pub saved_at: Timestamp,
}

/// What one autopay round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AutopayRun {
    pub charged: usize,
    pub declined: usize,
    /// Charges the processor could not be asked about: asked again next round.
    pub waiting: usize,
}

/// How a setup on the processor's page ended, for the page the payer comes back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupOutcome {
    Saved(CardOnFile),
    Waiting,
    Expired,
}

/// A card brand as the processor codes it, in words ("amex" → "American Express").
fn brand_words(brand: &str) -> String {
    match brand {
        "amex" => "American Express".to_owned(),
        "mastercard" => "Mastercard".to_owned(),
        "diners" => "Diners Club".to_owned(),
        "jcb" => "JCB".to_owned(),
        "unionpay" => "UnionPay".to_owned(),
        _ => {
            let mut letters = brand.chars();
            letters.next().map(|first| first.to_uppercase().chain(letters).collect()).unwrap_or_default()
        }
    }
}

fn on_file(record: &SavedCardRecord) -> Option<CardOnFile> {
    let card = record.card.as_ref()?;
    Some(CardOnFile {
        brand: brand_words(&card.brand),
        last4: card.last4.clone(),
        expires: format!("{:02}/{}", card.exp_month, card.exp_year),
        saved_at: record.saved_at.unwrap_or(record.started_at),
    })
}

/// Who acts on a client's card on file and autopay: staff for a client, or the client in the
/// portal — the same steps, recorded as theirs.
enum Holder<'a> {
    Staff(&'a Actor, ClientId),
    Client(&'a PortalActor),
}

impl Holder<'_> {
    fn practice(&self) -> PracticeId {
        match self {
            Holder::Staff(actor, _) => actor.practice(),
            Holder::Client(actor) => actor.practice(),
        }
    }

    fn client(&self) -> ClientId {
        match self {
            Holder::Staff(_, client) => *client,
            Holder::Client(actor) => actor.client(),
        }
    }

    /// As records name who did it: a staff member's id, or `portal:{account}`.
    fn by(&self) -> String {
        match self {
            Holder::Staff(actor, _) => actor.user().to_string(),
            Holder::Client(actor) => format!("{PORTAL}{}", actor.account()),
        }
    }

    /// The store recording `entry` as theirs with the change it describes.
    fn recording<'h>(&self, haven: &'h Haven, entry: AuditEntry) -> Result<Box<dyn store::Store + 'h>> {
        match self {
            Holder::Staff(actor, _) => haven.recording_by(actor, entry),
            Holder::Client(actor) => haven.recording_in_portal(actor, entry),
        }
    }
}

impl Haven {
    /// Opens the processor's page where the client's card is saved; where to send them.
    pub async fn start_card_setup(&self, actor: &Actor, client: ClientId) -> Result<String> {
        actor.may(Resource::Billing, Action::Create)?;
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        self.card_setup(Holder::Staff(actor, client)).await
    }

    /// The client saving their own card in the portal.
    pub async fn portal_card_setup(&self, actor: &PortalActor) -> Result<String> {
        self.card_setup(Holder::Client(actor)).await
    }

    /// Asks the processor for a page to save the client's card on and records the setup; the page.
    async fn card_setup(&self, holder: Holder<'_>) -> Result<String> {
        let (practice, client) = (holder.practice(), holder.client());
        let processor = self.processor()?;
        let id = uuid::Uuid::new_v4().to_string();
        let back = format!("{}/payments/card-saved/{practice}/{id}", self.outbox.public_url);
        let request = CardSetupRequest { reference: id.clone(), return_url: back.clone(), cancel_url: back };
        let page = processor
            .start_card_setup(&request)
            .await
            .map_err(|why| ServiceError::Conflict(format!("saving a card could not be started: {why}")))?;
        let record = SavedCardRecord {
            id,
            client,
            setup_id: page.id,
            started_at: self.now(),
            started_by: holder.by(),
            status: "open".into(),
            card: None,
            saved_at: None,
        };
        let entry = change_entry("billing.card_setup", Crud::Create, client, "saved_card", &record.id);
        holder.recording(self, entry)?.start_card_setup(practice, &record).await?;
        self.audit_drafts_committed();
        Ok(page.url)
    }

    /// The payer back from the processor's page (the session cookie may stay home): whose setup
    /// it is, whether it began in the portal, and how it ended as the processor says.
    pub async fn card_setup_returned(
        &self,
        practice: PracticeId,
        setup: &str,
    ) -> Result<(ClientId, bool, SetupOutcome)> {
        self.processor()?;
        let record = self.store.card_setup(practice, setup).await?.ok_or(ServiceError::NotFound)?;
        let (client, in_portal) = (record.client, record.started_by.starts_with(PORTAL));
        Ok((client, in_portal, self.settle_setup_from_processor(practice, record, Who::System).await?))
    }

    /// A signed webhook's setup, if the id is one.
    pub(super) async fn settle_setup_by_processor_id(&self, practice: PracticeId, id: &str) -> Result<bool> {
        match self.store.card_setup_by_setup_id(practice, id).await? {
            Some(record) => self.settle_setup_from_processor(practice, record, Who::System).await.map(|_| true),
            None => Ok(false),
        }
    }

    async fn settle_setup_from_processor(
        &self,
        practice: PracticeId,
        record: SavedCardRecord,
        who: Who,
    ) -> Result<SetupOutcome> {
        if record.status != "open" {
            let saved = self.store.saved_card(practice, record.client).await?;
            return Ok(match saved.filter(|s| s.id == record.id).as_ref().and_then(on_file) {
                Some(card) => SetupOutcome::Saved(card),
                None => SetupOutcome::Expired,
            });
        }
        let state = self
            .processor()?
            .card_setup_state(&record.setup_id)
            .await
            .map_err(|why| ServiceError::Conflict(format!("the card processor could not be asked: {why}")))?;
        let card = match state {
            SetupState::Open => return Ok(SetupOutcome::Waiting),
            SetupState::Expired => None,
            SetupState::Saved(card) => Some(card),
        };
        let (action, crud) = if card.is_some() {
            ("billing.card_saved", Crud::Update)
        } else {
            ("billing.card_setup_expired", Crud::Update)
        };
        let now = self.now();
        let entry = change_entry(action, crud, record.client, "saved_card", &record.id);
        self.recording(practice, who, entry)?.settle_card_setup(practice, &record.id, now, card.as_ref()).await?;
        self.audit_drafts_committed();
        let saved = SavedCardRecord { card, saved_at: Some(now), ..record };
        Ok(on_file(&saved).map_or(SetupOutcome::Expired, SetupOutcome::Saved))
    }

    /// The client's card on file, for staff who may see billing.
    pub async fn card_on_file(&self, actor: &Actor, client: ClientId) -> Result<Option<CardOnFile>> {
        actor.may(Resource::Billing, Action::View)?;
        Ok(self.store.saved_card(actor.practice(), client).await?.as_ref().and_then(on_file))
    }

    /// The client's own card on file, in the portal.
    pub async fn portal_card_on_file(&self, actor: &PortalActor) -> Result<Option<CardOnFile>> {
        Ok(self.store.saved_card(actor.practice(), actor.client()).await?.as_ref().and_then(on_file))
    }

    /// Removes the client's card on file, and autopay with it.
    pub async fn remove_card_on_file(&self, actor: &Actor, client: ClientId) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        self.remove_card(Holder::Staff(actor, client)).await
    }

    pub async fn portal_remove_card(&self, actor: &PortalActor) -> Result<()> {
        self.remove_card(Holder::Client(actor)).await
    }

    async fn remove_card(&self, holder: Holder<'_>) -> Result<()> {
        let (practice, client) = (holder.practice(), holder.client());
        let card = self.store.saved_card(practice, client).await?.ok_or(ServiceError::NotFound)?;
        let entry = change_entry("billing.card_removed", Crud::Delete, client, "saved_card", &card.id);
        holder.recording(self, entry)?.remove_saved_card(practice, client, self.now(), &holder.by()).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Turns autopay on (`authorized`: staff say the client agreed to it) or off for the client's
    /// open plan. On needs a card on file.
    pub async fn set_autopay(&self, actor: &Actor, client: ClientId, on: bool, authorized: bool) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        self.switch_autopay(Holder::Staff(actor, client), on, authorized).await
    }

    /// The client turning autopay on (`authorized`: they agreed to the charges) or off.
    pub async fn portal_set_autopay(&self, actor: &PortalActor, on: bool, authorized: bool) -> Result<()> {
        self.switch_autopay(Holder::Client(actor), on, authorized).await
    }

    async fn switch_autopay(&self, holder: Holder<'_>, on: bool, authorized: bool) -> Result<()> {
        unauthorized(on, authorized)?;
        let (practice, client) = (holder.practice(), holder.client());
        let plan = self.autopay_plan(practice, client, on).await?;
        let entry = change_entry(autopay_action(on), Crud::Update, client, "payment_plan", &plan.id);
        let by = holder.by();
        let since = on.then_some((self.now(), by.as_str()));
        holder.recording(self, entry)?.set_autopay(practice, &plan.id, since).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The client's open plan, when autopay may be turned `on` (or off) for it.
    async fn autopay_plan(&self, practice: PracticeId, client: ClientId, on: bool) -> Result<PaymentPlanRecord> {
        let plan = self.store.open_payment_plan(practice, client).await?;
        let plan =
            plan.ok_or_else(|| ServiceError::Conflict("there is no payment plan to pay automatically".into()))?;
        if on && self.store.saved_card(practice, client).await?.is_none() {
            return Err(ServiceError::Conflict("save a card on file first".into()));
        }
        Ok(plan)
    }

    /// Charges every practice's installments due today and unpaid to the cards on file, and
    /// asks again about charges whose answer was lost; the server calls this every few minutes.
    pub async fn run_autopay(&self) -> Result<AutopayRun> {
        let mut run = AutopayRun::default();
        if self.cards.is_none() {
            return Ok(run);
        }
        for practice in self.store.practice_ids().await? {
            for charge in self.store.autopay_charges_in_flight(practice).await? {
                self.charge_card_on_file(practice, &charge, &mut run).await?;
            }
            let today = self.now().to_zoned(self.practice_zone(practice).await?).date();
            for plan in self.store.autopay_plans(practice).await? {
                if let Some(charge) = self.claim_due(practice, &plan, today).await? {
                    self.charge_card_on_file(practice, &charge, &mut run).await?;
                }
            }
        }
        Ok(run)
    }

    /// Claims the plan's charge for its latest installment day by `today`, for all that is due
    /// and unpaid — never more than the client owes: `None` when nothing is, or the day is claimed
    /// already.
    async fn claim_due(
        &self,
        practice: PracticeId,
        plan: &PaymentPlanRecord,
        today: Date,
    ) -> Result<Option<AutopayChargeRecord>> {
        let account = self.account(practice, plan.client).await?;
        let (_, progress) = super::ledger::plan_progress(plan, &account, today);
        let due_on = progress.installments.iter().map(|i| i.due).filter(|d| *d <= today).max();
        let Some(due_on) = due_on else { return Ok(None) };
        let amount = progress.behind.min(account.balance());
        if amount.0 <= 0 {
            return Ok(None);
        }
        let charge = AutopayChargeRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client: plan.client,
            plan: plan.id.clone(),
            due_on,
            amount_cents: amount.0,
            claimed_at: self.now(),
            status: "charging".into(),
            payment: None,
            reason: String::new(),
            settled_at: None,
        };
        Ok(self.store.claim_autopay_charge(practice, &charge).await?.then_some(charge))
    }

    /// Asks the processor to charge a claimed charge to the client's card on file, and records
    /// what it answered; an unreachable processor leaves it claimed, to be asked again.
    async fn charge_card_on_file(
        &self,
        practice: PracticeId,
        charge: &AutopayChargeRecord,
        run: &mut AutopayRun,
    ) -> Result<()> {
        let card = self.store.saved_card(practice, charge.client).await?.and_then(|c| c.card);
        let answer = match card {
            None => Ok(ChargeOutcome::Declined("no card on file".into())),
            Some(card) => {
                let name = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?.profile.name;
                let request = SavedCardCharge {
                    customer: card.customer,
                    method: card.method,
                    amount: Cents(charge.amount_cents),
                    description: format!("Payment plan, {name}"),
                    idempotency_key: charge.id.clone(),
                };
                self.processor()?.charge_saved_card(&request).await
            }
        };
        let now = self.now();
        let outcome = match answer {
            Ok(ChargeOutcome::Paid { payment, amount }) => Ok(ClientPaymentRecord {
                id: uuid::Uuid::new_v4().to_string(),
                client: charge.client,
                kind: "payment".into(),
                received_on: now.to_zoned(self.practice_zone(practice).await?).date(),
                amount_cents: amount.0,
                method: "card".into(),
                reason: String::new(),
                reference: payment,
                recorded_at: now,
                recorded_by: AUTOPAY.into(),
            }),
            Ok(ChargeOutcome::Declined(why)) => Err(why),
            Err(PaymentError::Refused) => Err("the card processor refused the charge".to_owned()),
            Err(PaymentError::Unavailable) => {
                run.waiting += 1;
                return Ok(());
            }
        };
        let (action, kept) = match &outcome {
            Ok(_) => ("billing.autopay_paid", &mut run.charged),
            Err(_) => ("billing.autopay_declined", &mut run.declined),
        };
        *kept += 1;
        let entry = change_entry(action, Crud::Create, charge.client, "autopay_charge", &charge.id);
        let store = self.recording(practice, Who::System, entry)?;
        store.settle_autopay_charge(practice, &charge.id, now, outcome.as_ref().map_err(String::as_str)).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The client's declined autopay charges of their open plan: (day, amount, why).
    pub(super) async fn autopay_declines(
        &self,
        practice: PracticeId,
        client: ClientId,
        plan: &str,
    ) -> Result<Vec<(Date, Cents, String)>> {
        let charges = self.store.client_autopay_charges(practice, client).await?;
        Ok(charges
            .into_iter()
            .filter(|c| c.plan == plan && c.status == "declined")
            .map(|c| (c.due_on, Cents(c.amount_cents), c.reason))
            .collect())
    }
}

/// Autopay begins only with the client's authorization, given or recorded on the form.
fn unauthorized(on: bool, authorized: bool) -> Result<()> {
    if on && !authorized {
        return Err(crate::error::invalid(
            "autopay_authorized",
            "the client's authorization to charge each installment to the card is needed",
        ));
    }
    Ok(())
}

fn autopay_action(on: bool) -> &'static str {
    if on { "billing.autopay_on" } else { "billing.autopay_off" }
}

#[cfg(test)]
mod tests {
    #[test]
    fn brands_read_as_their_names() {
        assert_eq!(super::brand_words("visa"), "Visa");
        assert_eq!(super::brand_words("amex"), "American Express");
        assert_eq!(super::brand_words("unionpay"), "UnionPay");
        assert_eq!(super::brand_words("discover"), "Discover");
        assert_eq!(super::brand_words(""), "");
    }
}
