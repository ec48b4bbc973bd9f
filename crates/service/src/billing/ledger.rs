//! A client's ledger (BI-7): what they owe — their share of each claim as the payer's 835 set
//! it, and their self-pay sessions — and what they paid, were refunded or had written off, each
//! line with the balance after it. Payments, refunds and write-offs are recorded here (kept as
//! recorded: a mistake is put right by an entry the other way); the statement and each payment's
//! or refund's receipt are PDF/As.

use domain::billing_forms::{ClientPaymentForm, PAYMENT_METHODS, WRITE_OFF_REASONS};
use domain::client::ClientDetails;
use domain::money::Cents;
use domain::payment_plan::{PaymentPlan, PaymentPlanForm, Progress};
use domain::policy::{Action, Resource};
use domain::{ClientId, PracticeId};
use jiff::civil::Date;
use store::{CardCheckoutRecord, ClientPaymentRecord, PaymentPlanRecord};

use super::{SELF_PAY, change_entry};
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub on: Date,
    pub what: String,
    /// What it adds to the balance (owed), or takes off it (credited).
    pub owed: Option<Cents>,
    pub credited: Option<Cents>,
    /// The balance after this line: positive, the client owes the practice.
    pub balance: Cents,
    /// A payment's or refund's id, which its receipt is found by.
    pub receipt: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ClientLedger {
    pub name: String,
    pub lines: Vec<LedgerLine>,
    pub balance: Cents,
    /// Card payments started and not yet paid or expired, as the processor last said.
    pub cards_waiting: Vec<CardCheckoutRecord>,
    /// Card payments taken through the processor with something left to refund.
    pub cards_refundable: Vec<CardCheckoutRecord>,
    pub plan: Option<PlanView>,
    pub card_on_file: Option<super::CardOnFile>,
    /// The client's newest sliding-scale assessment, and whether the practice has a scale.
    pub sliding_fee: Option<super::SlidingFee>,
    pub sliding_scale: bool,
}

/// The client's open payment plan and where it stands today.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub id: String,
    pub plan: PaymentPlan,
    pub since: Date,
    pub progress: Progress,
    /// Whether its installments are charged to the card on file on their days.
    pub autopay: bool,
    /// Charges of it the card declined: (day, amount, the processor's reason).
    pub declined: Vec<(Date, Cents, String)>,
}

/// A statement, ready to download.
#[derive(Debug)]
pub struct Statement {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A client's account as read once: every ledger line, and the payments and card checkouts
/// they came from.
pub(crate) struct Account {
    pub(crate) lines: Vec<LedgerLine>,
    payments: Vec<ClientPaymentRecord>,
    cards: Vec<CardCheckoutRecord>,
}

impl Account {
    pub(crate) fn balance(&self) -> Cents {
        self.lines.last().map_or(Cents::ZERO, |l| l.balance)
    }
}

/// Where plan `r` stands on `today`, with what the client paid (less refunds) since it was agreed.
pub(super) fn plan_progress(r: &PaymentPlanRecord, account: &Account, today: Date) -> (PaymentPlan, Progress) {
    let paid: i64 = account
        .payments
        .iter()
        .filter(|p| p.recorded_at >= r.created_at)
        .map(|p| match p.kind.as_str() {
            "payment" => p.amount_cents,
            "refund" => -p.amount_cents,
            _ => 0,
        })
        .sum();
    let plan =
        PaymentPlan { total: Cents(r.total_cents), installment: Cents(r.installment_cents), first_due: r.first_due };
    let progress = plan.progress(today, Cents(paid));
    (plan, progress)
}

/// The words for a code of one of the lists, or the code.
fn words(list: &[(&'static str, &'static str)], code: &str) -> String {
    list.iter().find(|(c, _)| *c == code).map_or_else(|| code.to_owned(), |(_, w)| (*w).to_owned())
}

impl Haven {
    pub async fn client_ledger(&self, actor: &Actor, client: ClientId) -> Result<ClientLedger> {
        actor.may(Resource::Billing, Action::View)?;
        let details = self.billed_client(actor, client, "billing.ledger").await?;
        let account = self.account(actor.practice(), client).await?;
        let plan = self.plan_view(actor.practice(), client, &account).await?;
        let (balance, name) =
            (account.balance(), format!("{} {}", details.given_name.expose(), details.family_name.expose()));
        let (cards_waiting, paid): (Vec<_>, Vec<_>) = account.cards.into_iter().partition(|c| c.status == "open");
        let cards_refundable =
            paid.into_iter().filter(|c| c.status == "paid" && c.refunded_cents < c.amount_cents).collect();
        let scale = self.saved_scale(actor.practice()).await?;
        let sliding_fee = self.newest_sliding_fee(actor, client, scale.as_ref()).await?;
        let sliding_scale = scale.is_some();
        let card_on_file = self.card_on_file(actor, client).await?;
        Ok(ClientLedger {
            name,
            lines: account.lines,
            balance,
            cards_waiting,
            cards_refundable,
            plan,
            card_on_file,
            sliding_fee,
            sliding_scale,
        })
    }

    /// The client's open plan, with what they paid (less refunds) since it was agreed.
    pub(crate) async fn plan_view(
        &self,
        practice: PracticeId,
        client: ClientId,
        account: &Account,
    ) -> Result<Option<PlanView>> {
        let Some(r) = self.store.open_payment_plan(practice, client).await? else { return Ok(None) };
        let zone = self.practice_zone(practice).await?;
        let since = r.created_at.to_zoned(zone.clone()).date();
        let (plan, progress) = plan_progress(&r, account, self.now().to_zoned(zone).date());
        let declined = self.autopay_declines(practice, client, &r.id).await?;
        Ok(Some(PlanView { id: r.id, plan, since, progress, autopay: r.autopay.is_some(), declined }))
    }

    /// Sets the client up with a payment plan; `Conflict` when they have one open.
    pub async fn start_payment_plan(&self, actor: &Actor, client: ClientId, form: &PaymentPlanForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Create)?;
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let mut errors = domain::validation::FieldErrors::default();
        let checked = form.validate(self.today(actor).await?, &mut errors);
        let Some(plan) = checked.filter(|_| errors.is_empty()) else { return Err(ServiceError::Invalid(errors)) };
        let record = PaymentPlanRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            total_cents: plan.total.0,
            installment_cents: plan.installment.0,
            first_due: plan.first_due,
            created_at: self.now(),
            created_by: actor.user(),
            autopay: None,
        };
        let entry = change_entry("billing.payment_plan", Crud::Create, client, "payment_plan", &record.id);
        match self.recording_by(actor, entry)?.start_payment_plan(actor.practice(), &record).await {
            Err(store::StoreError::Conflict(_)) => {
                Err(ServiceError::Conflict("the client has a payment plan already: end it first".into()))
            }
            done => {
                done?;
                self.audit_drafts_committed();
                Ok(())
            }
        }
    }

    pub async fn end_payment_plan(&self, actor: &Actor, client: ClientId, plan: &str) -> Result<()> {
        actor.may(Resource::Billing, Action::Update)?;
        let open = self.store.open_payment_plan(actor.practice(), client).await?;
        open.filter(|p| p.id == plan).ok_or(ServiceError::NotFound)?;
        let entry = change_entry("billing.payment_plan_end", Crud::Update, client, "payment_plan", plan);
        self.recording_by(actor, entry)?.end_payment_plan(actor.practice(), plan, self.now(), actor.user()).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    pub async fn record_client_payment(&self, actor: &Actor, client: ClientId, form: &ClientPaymentForm) -> Result<()> {
        actor.may(Resource::Billing, Action::Create)?;
        self.store.client(actor.practice(), client).await?.ok_or(ServiceError::NotFound)?;
        let today = self.today(actor).await?;
        let mut errors = domain::validation::FieldErrors::default();
        let checked = form.validate(today, &mut errors);
        let Some(p) = checked.filter(|_| errors.is_empty()) else { return Err(ServiceError::Invalid(errors)) };
        let record = ClientPaymentRecord {
            id: uuid::Uuid::new_v4().to_string(),
            client,
            kind: p.kind.to_owned(),
            received_on: p.received_on,
            amount_cents: p.amount.0,
            method: p.method.to_owned(),
            reason: p.reason.to_owned(),
            reference: p.reference,
            recorded_at: self.now(),
            recorded_by: actor.user().to_string(),
        };
        let entry = change_entry("billing.client_payment", Crud::Create, client, "client_payment", &record.id);
        self.recording_by(actor, entry)?.record_client_payment(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// The client's statement: the practice, the client and their address, every line of the
    /// ledger and the balance due.
    pub async fn client_statement(&self, actor: &Actor, client: ClientId) -> Result<Statement> {
        actor.may(Resource::Billing, Action::View)?;
        let details = self.billed_client(actor, client, "billing.statement").await?;
        let account = self.account(actor.practice(), client).await?;
        let lines = &account.lines;
        let today = self.today(actor).await?;
        let mut doc = self.practice_letter(actor, "Statement").await?;
        let profile = details.profile.expose();
        doc.field("To", &format!("{} {}", details.given_name.expose(), details.family_name.expose()));
        if !profile.address_line1.is_empty() {
            let line2 =
                if profile.address_line2.is_empty() { String::new() } else { format!(", {}", profile.address_line2) };
            let place = format!("{}, {} {}", profile.city, profile.state, profile.postal_code);
            doc.field("Address", &format!("{}{line2}, {place}", profile.address_line1));
        }
        doc.heading("Account");
        if lines.is_empty() {
            doc.paragraph("Nothing has been charged or paid.");
        }
        for l in lines {
            let amount = match (l.owed, l.credited) {
                (Some(owed), _) => format!("{owed}"),
                (_, Some(credited)) => format!("credit {credited}"),
                _ => String::new(),
            };
            doc.paragraph(&format!("{} · {} · {amount} · balance {}", l.on, l.what, l.balance));
        }
        let balance = account.balance();
        if let Some(view) = self.plan_view(actor.practice(), client, &account).await? {
            let plan = &view.plan;
            let mut said = format!("{} a month from {}, {} in all", plan.installment, plan.first_due, plan.total);
            if let Some(next) = view.progress.next {
                said.push_str(&format!("; next installment {} due on {}", next.amount, next.due));
            }
            if view.progress.behind.0 > 0 {
                said.push_str(&format!("; {} of it is past due", view.progress.behind));
            }
            doc.field("Payment plan", &said);
        }
        doc.field(
            "Balance due",
            &if balance.0 > 0 { balance.to_string() } else { format!("{} (nothing due)", balance) },
        );
        doc.paragraph("Questions about this statement: call or write to the practice at the address above.");
        let created = self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        Ok(Statement { file_name: format!("statement-{today}.pdf"), bytes: doc.finish(&created) })
    }

    /// A receipt for one of the client's payments or refunds: the practice, who paid or was
    /// refunded, the amount, when, how, its reference, and the balance after it.
    pub async fn payment_receipt(&self, actor: &Actor, client: ClientId, payment: &str) -> Result<Statement> {
        actor.may(Resource::Billing, Action::View)?;
        let details = self.billed_client(actor, client, "billing.receipt").await?;
        let account = self.account(actor.practice(), client).await?;
        let line = account.lines.iter().find(|l| l.receipt.as_deref() == Some(payment));
        let line = line.ok_or(ServiceError::NotFound)?;
        let (title, amount) = match (line.credited, line.owed) {
            (Some(paid), _) => ("Receipt", paid),
            (_, Some(refunded)) => ("Refund receipt", refunded),
            _ => return Err(ServiceError::NotFound),
        };
        let mut doc = self.practice_letter(actor, title).await?;
        doc.field("Received from", &format!("{} {}", details.given_name.expose(), details.family_name.expose()));
        doc.field(if title == "Receipt" { "Amount received" } else { "Amount refunded" }, &amount.to_string());
        doc.field("On", &line.on.to_string());
        doc.field("How", &line.what);
        doc.field("Balance after it", &line.balance.to_string());
        doc.paragraph("Thank you. Keep this receipt for your records.");
        let created = self.now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        Ok(Statement { file_name: format!("receipt-{}.pdf", line.on), bytes: doc.finish(&created) })
    }

    /// A document headed with `title` and the practice's name, from its address, dated today.
    async fn practice_letter(&self, actor: &Actor, title: &str) -> Result<pdf::Document> {
        let practice = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        let p = &practice.profile;
        let mut doc = pdf::Document::new(title);
        doc.heading(&format!("{title} · {}", p.name));
        let a = &p.address;
        let street = [Some(a.line1.as_str()), a.line2.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
        doc.field("From", &format!("{}, {street}, {}, {} {}", p.name, a.city, a.state, a.postal_code));
        doc.field("Date", &self.today(actor).await?.to_string());
        Ok(doc)
    }

    /// The client's details, opened after an audit event of `action` (billing reads the name
    /// and address, for payment).
    async fn billed_client(&self, actor: &Actor, client: ClientId, action: &'static str) -> Result<ClientDetails> {
        let entry = AuditEntry::new(action, Crud::Read).categories(&["demographics", "billing"]).purpose("HPAYMT");
        self.client_opened_after(actor, client, entry).await?.ok_or(ServiceError::NotFound)
    }

    /// The client's account: every line, oldest first, with the balance after each (the card
    /// checkouts name the payments taken through the processor).
    pub(crate) async fn account(&self, practice: PracticeId, client: ClientId) -> Result<Account> {
        let cards = self.store.client_card_checkouts(practice, client).await?;
        let payments = self.store.client_payments(practice, client).await?;
        let tz = self.practice_zone(practice).await?;
        let claims = self.store.client_claims(practice, client).await?;
        // (day, order within the day, words, change to the balance, receipt)
        let mut moves: Vec<(Date, u8, String, i64, Option<String>)> = Vec::new();
        for e in self.store.ledger(practice, client).await? {
            let claim = e.claim.as_ref().and_then(|id| claims.iter().find(|c| &c.id == id));
            // On a first insurer's claim a negative share is its reversal (before a replacement);
            // on a later insurer's, its payment lowering what the one before left to the client.
            let what = match (claim, e.amount_cents < 0) {
                (Some(c), true) if c.follows.is_some() => {
                    format!("Your share lowered by another insurer's answer on claim {}", c.number)
                }
                (Some(c), false) if c.follows.is_some() => {
                    format!("Your share raised: another insurer's answer on claim {} taken back", c.number)
                }
                (Some(c), true) => format!("Your share of claim {} taken back with the payer's reversal", c.number),
                (Some(c), false) => format!("Your share of claim {} (services of {})", c.number, c.service_date),
                (None, _) => "Your share of a claim".to_owned(),
            };
            moves.push((e.at.to_zoned(tz.clone()).date(), 0, what, e.amount_cents, None));
        }
        for c in self.store.client_charges(practice, client).await? {
            if c.payer == SELF_PAY {
                let what = domain::billing::fee_words(&c.service_code)
                    .map_or_else(|| format!("Session ({}), self-pay", c.service_code), str::to_owned);
                moves.push((c.service_date, 0, what, c.amount_cents, None));
            }
        }
        for p in &payments {
            let reference = if p.reference.is_empty() { String::new() } else { format!(" {}", p.reference) };
            let online = cards.iter().any(|c| c.payment.as_ref() == Some(&p.id));
            let method = if p.recorded_by == super::autopay::AUTOPAY {
                "Card on file, autopay".to_owned()
            } else if online {
                "Card, online".to_owned()
            } else {
                words(&PAYMENT_METHODS, &p.method)
            };
            let (what, change) = match p.kind.as_str() {
                "payment" => (format!("Payment, {method}{reference}"), -p.amount_cents),
                "refund" if p.method == "card" => (format!("Refund to the card{reference}"), p.amount_cents),
                "refund" => (format!("Refund, {}{reference}", words(&PAYMENT_METHODS, &p.method)), p.amount_cents),
                _ => (format!("Written off: {}", words(&WRITE_OFF_REASONS, &p.reason)), -p.amount_cents),
            };
            let receipt = (p.kind != "write_off").then(|| p.id.clone());
            moves.push((p.received_on, 1, what, change, receipt));
        }
        moves.sort_by_key(|m| (m.0, m.1));
        let mut balance = 0_i64;
        let lines = moves
            .into_iter()
            .map(|(on, _, what, change, receipt)| {
                balance += change;
                LedgerLine {
                    on,
                    what,
                    owed: (change > 0).then_some(Cents(change)),
                    credited: (change < 0).then_some(Cents(-change)),
                    balance: Cents(balance),
                    receipt,
                }
            })
            .collect();
        Ok(Account { lines, payments, cards })
    }
}
