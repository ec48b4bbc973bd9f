//! The compliance page (DL-9) and the subprocessor list (DL-2): a practice's safeguards as the
//! running system shows them — never typed by anyone, so it cannot drift from the truth. Each
//! finding says what is so and, when something needs doing, what to do. Facts only the binary
//! knows (the database, TLS, the services it connects to, backups) come from [`Deployment`].

use std::fmt;
use std::sync::Arc;

use domain::policy::{Action, Resource};
use domain::reminder::Channel;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};

use crate::audit_log::watch::VerifierState;
use crate::audit_log::{AuditEntry, Crud};
use crate::{Actor, Haven, Result, ServiceError};

/// How the server was deployed, as the binary knows it. No secret is in it.
#[derive(Clone, Default)]
pub struct Deployment {
    /// "SQLite" or "PostgreSQL".
    pub database: &'static str,
    /// The database server's host when it is not on this machine (a subprocessor then).
    pub database_host: Option<String>,
    /// The SQLite file is encrypted whole (SQLCipher).
    pub database_encrypted_whole: bool,
    /// People reach Haven over HTTPS (built in, or `public_url` is https behind a proxy).
    pub https: bool,
    /// Where the master key comes from: "a key file", "the environment" or an HSM.
    pub master_key_source: &'static str,
    /// The mail server's host, when e-mail is configured.
    pub email_host: Option<String>,
    /// The SMS provider's API host, when texts are configured.
    pub texts_host: Option<String>,
    /// The card processor's API host, when card payments are configured.
    pub cards_host: Option<String>,
    /// The video server's address.
    pub video_server: String,
    /// The identity provider staff may sign in with, when configured.
    pub sign_on_issuer: Option<String>,
    /// Backups as the server sees them (none when it was started without a backup setting, as
    /// in tests).
    pub backups: Option<Arc<dyn BackupState>>,
}

impl fmt::Debug for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deployment")
            .field("database", &self.database)
            .field("https", &self.https)
            .finish_non_exhaustive()
    }
}

/// Where backups stand now, read when the page is opened.
pub trait BackupState: Send + Sync {
    fn summary(&self) -> BackupSummary;
}

#[derive(Debug, Clone, Default)]
pub struct BackupSummary {
    /// Public keys backups are encrypted to (none: no backups are made).
    pub recipients: usize,
    pub every_hours: Option<u64>,
    pub count: usize,
    pub newest: Option<Timestamp>,
    /// The newest backup that passed a restore drill, and when the drill ran.
    pub verified: Option<(Timestamp, Timestamp)>,
    /// Where they are written (the backup directory, perhaps a mounted remote).
    pub location: String,
}

/// How a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Met,
    /// Something to do; the finding says what.
    Attention,
    /// A fact to know, neither good nor bad.
    Note,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub topic: &'static str,
    pub standing: Standing,
    pub answer: String,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub title: &'static str,
    pub findings: Vec<Finding>,
}

/// A service outside Haven that the practice's data can reach.
#[derive(Debug, Clone)]
pub struct Subprocessor {
    /// The key its agreement is recorded under (`email`, `clearinghouse` …).
    pub key: &'static str,
    pub service: &'static str,
    pub host: String,
    /// What of the practice's data it receives.
    pub carries: &'static str,
    pub agreement: String,
    pub standing: Standing,
}

#[derive(Debug, Clone)]
pub struct ComplianceReport {
    pub practice_name: String,
    pub generated_at: Timestamp,
    pub sections: Vec<Section>,
    pub subprocessors: Vec<Subprocessor>,
}

impl ComplianceReport {
    pub fn attention(&self) -> usize {
        let findings = self.sections.iter().flat_map(|s| &s.findings).filter(|f| f.standing == Standing::Attention);
        findings.count() + self.subprocessors.iter().filter(|s| s.standing == Standing::Attention).count()
    }
}

/// Data keys older than this are due for rotation.
const KEY_AGE_LIMIT_DAYS: i64 = 365;
/// The audit log must be kept at least this long (PRODUCT.md DL-4).
const AUDIT_YEARS_MIN: u32 = 7;
/// A restore drill older than this no longer proves much.
const DRILL_AGE_LIMIT_DAYS: i64 = 31;

fn finding(topic: &'static str, standing: Standing, answer: impl Into<String>) -> Finding {
    Finding { topic, standing, answer: answer.into() }
}

fn met_if(ok: bool) -> Standing {
    if ok { Standing::Met } else { Standing::Attention }
}

/// A moment in the practice's time zone.
fn date(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

fn days(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_hours() / 24
}

impl Haven {
    /// Describes the deployment for the compliance page.
    pub fn with_deployment(mut self, deployment: Deployment) -> Self {
        self.deployment = Arc::new(deployment);
        self
    }

    /// The compliance page, from the live configuration and state.
    pub async fn compliance_report(&self, actor: &Actor) -> Result<ComplianceReport> {
        actor.may(Resource::Compliance, Action::View)?;
        let practice = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        let now = self.now();
        let names = self.staff_names(actor.practice()).await?;
        let tz = crate::clients::zone_of(&practice);
        let mut sections = vec![self.agreements(actor, &names, &tz).await?, self.access(actor, &practice.rules).await?];
        sections.push(self.encryption(actor, now).await?);
        sections.push(self.audit_section(actor, &tz).await?);
        sections.push(self.records_section(actor).await?);
        sections.push(self.backups_section(now, &tz));
        sections.push(part2_section(practice.rules.part2_program));
        let providers = self.store.ai_providers(actor.practice()).await?;
        sections.push(Section {
            title: "AI assistance",
            findings: vec![match providers.iter().filter(|p| p.enabled).count() {
                0 => finding("Model providers", Standing::Met, "None is turned on: no text goes to a language model."),
                n => finding(
                    "Model providers",
                    Standing::Met,
                    format!(
                        "{n} turned on. Each received only de-identified text, shown to the clinician before it \
                         was sent, and only with a recorded BAA or running on the practice's own machines; \
                         nothing it returns enters a record without a clinician's signature."
                    ),
                ),
            }],
        });
        sections.push(Section {
            title: "Telemetry",
            findings: vec![finding(
                "Reporting home",
                Standing::Met,
                "None. Haven sends nothing to its makers — no usage data, no update checks, no crash reports — and \
                 connects only to the services listed under Subprocessors.",
            )],
        });
        let mut subprocessors = self.integrations();
        // An agreement the owner recorded answers the service's row.
        for a in self.store.associate_agreements(actor.practice()).await? {
            for s in subprocessors.iter_mut().filter(|s| s.key == a.service) {
                let sha: String = a.document_sha256.chars().take(12).collect();
                s.agreement = format!(
                    "BAA signed {}, recorded {} by {} (SHA-256 {sha}…)",
                    a.signed_on,
                    date(a.recorded_at, &tz),
                    names.of(a.recorded_by)
                );
                s.standing = Standing::Met;
            }
        }
        for p in providers {
            let (agreement, standing) = match (&p.baa, p.runs_here) {
                (Some((sha256, at, by)), _) => {
                    let sha: String = sha256.chars().take(12).collect();
                    (format!("BAA recorded {} by {} (SHA-256 {sha}…)", date(*at, &tz), names.of(*by)), Standing::Met)
                }
                (None, true) => ("Runs on the practice's own machines: none needed".to_owned(), Standing::Met),
                (None, false) if p.enabled => ("None recorded".to_owned(), Standing::Attention),
                (None, false) => ("None recorded; it stays off until one is".to_owned(), Standing::Note),
            };
            subprocessors.push(Subprocessor {
                key: "ai",
                service: "AI model provider",
                host: crate::ai::host_of(&p.base_url).to_owned(),
                carries: "De-identified text only, and only when a clinician sends it",
                agreement,
                standing,
            });
        }
        Ok(ComplianceReport { practice_name: practice.profile.name, generated_at: now, sections, subprocessors })
    }

    async fn agreements(&self, actor: &Actor, names: &crate::clients::StaffNames, tz: &TimeZone) -> Result<Section> {
        let accepted = self.store.agreement_acceptance(actor.practice(), crate::agreement::BAA_VERSION).await?;
        let answer = match &accepted {
            Some(a) => finding(
                "Business Associate Agreement",
                Standing::Met,
                format!("Version {} accepted {} by {}.", a.version, date(a.accepted_at, tz), names.of(a.user)),
            ),
            None => finding(
                "Business Associate Agreement",
                Standing::Attention,
                "The current version is not accepted: the owner accepts it under Practice › Agreement.",
            ),
        };
        Ok(Section { title: "Agreements", findings: vec![answer] })
    }

    async fn access(&self, actor: &Actor, rules: &store::SignInRules) -> Result<Section> {
        let (staff, covered) = self.store.second_factor_coverage(actor.practice()).await?;
        let second_factor = match (rules.require_second_factor, covered == staff) {
            (true, _) => finding(
                "Second factor",
                Standing::Met,
                format!(
                    "Required for everyone; {covered} of {staff} active staff have one set up (the others must \
                     set one up at their next sign-in)."
                ),
            ),
            (false, true) => finding(
                "Second factor",
                Standing::Met,
                format!("All {staff} active staff have one, though the practice does not require it."),
            ),
            (false, false) => finding(
                "Second factor",
                Standing::Attention,
                format!(
                    "{covered} of {staff} active staff have one, and it is not required: require it under \
                     Practice › Sign-in security."
                ),
            ),
        };
        Ok(Section {
            title: "Access",
            findings: vec![
                second_factor,
                finding(
                    "Idle sessions",
                    Standing::Met,
                    format!(
                        "Staff are signed out after {} minutes idle; clients after {}.",
                        rules.idle_timeout_minutes, rules.client_idle_timeout_minutes
                    ),
                ),
                finding(
                    "Unused accounts",
                    Standing::Met,
                    format!("A staff account unused for {} days is disabled.", rules.inactivity_days),
                ),
                finding(
                    "Minimum necessary",
                    Standing::Met,
                    format!(
                        "Each role reaches only its part of the record; outside a care team a chart opens only by \
                         breaking the glass, for {} minutes, reviewed by the owner afterwards.",
                        rules.break_glass_minutes
                    ),
                ),
            ],
        })
    }

    async fn encryption(&self, actor: &Actor, now: Timestamp) -> Result<Section> {
        let d = &self.deployment;
        let keys = self.store.data_keys(actor.practice()).await?;
        let current = current_sealing_keys(&keys);
        let oldest = current.iter().map(|k| days(k.created_at, now)).max().unwrap_or(0);
        let ages: Vec<String> =
            current.iter().map(|k| format!("{} {} d", k.purpose.replace('_', " "), days(k.created_at, now))).collect();
        let master = current.first().map_or("", |k| k.master_key_id.as_str());
        let whole_file = match (d.database, d.database_encrypted_whole) {
            ("SQLite", true) => {
                finding("Database file", Standing::Met, "Encrypted whole as well (SQLCipher, AES-256).")
            }
            ("SQLite", false) => finding(
                "Database file",
                Standing::Note,
                "Not encrypted whole: client data in it is sealed field by field; staff names and settings are \
                 readable to someone holding the file. Build with SQLCipher or keep it on an encrypted volume.",
            ),
            _ => finding("Database file", Standing::Note, "PostgreSQL: keep its storage on encrypted volumes."),
        };
        Ok(Section {
            title: "Encryption",
            findings: vec![
                finding(
                    "Client data at rest",
                    Standing::Met,
                    "Sealed before it reaches the database (AES-256-GCM) under the practice's own data keys, \
                     psychotherapy notes and 42 CFR Part 2 records each under a key of their own.",
                ),
                whole_file,
                finding(
                    "Data keys",
                    met_if(oldest <= KEY_AGE_LIMIT_DAYS),
                    if oldest <= KEY_AGE_LIMIT_DAYS {
                        format!(
                            "Current keys' ages: {}; wrapped by master key {master} from {}.",
                            ages.join(", "),
                            d.master_key_source
                        )
                    } else {
                        format!(
                            "The oldest current key is {oldest} days old ({}): rotate with `haven keys rotate`.",
                            ages.join(", ")
                        )
                    },
                ),
                finding(
                    "In transit",
                    met_if(d.https),
                    if d.https {
                        "People reach Haven over HTTPS only (TLS 1.2 or 1.3), with HSTS."
                    } else {
                        "Served over plain HTTP: set public_url to an https address behind a TLS proxy, or give \
                         Haven tls_cert and tls_key."
                    },
                ),
            ],
        })
    }

    async fn audit_section(&self, actor: &Actor, tz: &TimeZone) -> Result<Section> {
        let log = self.store.audit_log(actor.practice()).await?;
        let Some(log) = log else {
            return Ok(Section {
                title: "Audit log",
                findings: vec![finding("Audit log", Standing::Attention, "The practice has no audit log.")],
            });
        };
        let head = match log.head_at {
            Some(at) => format!("{} events; the newest signed checkpoint is from {}.", log.size, date(at, tz)),
            None => format!("{} events; no checkpoint signed yet.", log.size),
        };
        let verified = match self.watch.get(actor.practice()) {
            Some(VerifierState::Verified { events, at }) => finding(
                "Continuous verification",
                Standing::Met,
                format!(
                    "The server has replayed all {events} events, last at {}, and found nothing wrong.",
                    date(at, tz)
                ),
            ),
            Some(VerifierState::Failed { at, .. }) => finding(
                "Continuous verification",
                Standing::Attention,
                format!(
                    "The server found the log altered at {}: see the audit page and run `haven audit verify`.",
                    date(at, tz)
                ),
            ),
            _ => finding(
                "Continuous verification",
                Standing::Note,
                "Not run in this process yet (it starts with `haven serve`); `haven audit verify` checks it by hand.",
            ),
        };
        let hold = if log.legal_hold { ", under legal hold (nothing is dropped)" } else { "" };
        Ok(Section {
            title: "Audit log",
            findings: vec![
                finding(
                    "Every access recorded",
                    Standing::Met,
                    format!("Tamper-evident (a signed Merkle tree). {head}"),
                ),
                verified,
                finding(
                    "Retention",
                    met_if(log.retention_years >= AUDIT_YEARS_MIN),
                    format!(
                        "Kept {} years{hold}{}.",
                        log.retention_years,
                        if log.retention_years >= AUDIT_YEARS_MIN { "" } else { "; keep it at least 7" }
                    ),
                ),
            ],
        })
    }

    /// How long clients' records are kept and the holds in force (DL-4, DL-5).
    async fn records_section(&self, actor: &Actor) -> Result<Section> {
        let saved = self.store.retention_rules(actor.practice()).await?;
        let rules = saved.as_ref().map_or_else(domain::retention::Rules::default, |r| domain::retention::Rules {
            clinical_years: r.clinical_years,
            billing_years: r.billing_years,
            automatic: r.automatic,
        });
        let purge = if rules.automatic {
            "records past retention are purged daily, each purge an audit event"
        } else {
            "records past retention wait on the retention page for the owner to purge them"
        };
        let holds = self.store.legal_holds(actor.practice()).await?;
        let in_force: Vec<_> = holds.iter().filter(|h| h.released_at.is_none()).collect();
        let holds_text = match (in_force.len(), in_force.iter().any(|h| h.client.is_none())) {
            (0, _) => "None in force.".to_owned(),
            (n, true) => format!("{n} in force, one of them on the whole practice: nothing is purged or erased."),
            (n, false) => format!("{n} in force: those records are not purged."),
        };
        Ok(Section {
            title: "Records retention",
            findings: vec![
                finding(
                    "Retention",
                    if saved.is_some() { Standing::Met } else { Standing::Note },
                    format!(
                        "Clinical records are kept {} years after the last encounter (or after a minor turns 18), \
                         billing records {} years after the last charge or payment; {purge}.{}",
                        rules.clinical_years,
                        rules.billing_years,
                        if saved.is_some() { "" } else { " These are the defaults: confirm them for your state." }
                    ),
                ),
                finding("Legal holds", Standing::Note, holds_text),
            ],
        })
    }

    fn backups_section(&self, now: Timestamp, tz: &TimeZone) -> Section {
        let Some(state) = &self.deployment.backups else {
            return Section {
                title: "Backups",
                findings: vec![finding(
                    "Backups",
                    Standing::Attention,
                    "This server knows nothing of backups: run `haven backup list` where they are made.",
                )],
            };
        };
        let b = state.summary();
        if b.recipients == 0 {
            return Section {
                title: "Backups",
                findings: vec![finding(
                    "Backups",
                    Standing::Attention,
                    "None are made: set backup_recipients to an age public key (README, Backups).",
                )],
            };
        }
        let due_days = b.every_hours.map_or(1, |h| i64::try_from(h.div_ceil(24)).unwrap_or(1)) * 2;
        let newest = match b.newest {
            Some(at) => finding(
                "Newest backup",
                met_if(days(at, now) <= due_days),
                format!(
                    "{} ({} kept{}), encrypted with age to {} key(s) the server cannot open.",
                    date(at, tz),
                    b.count,
                    b.every_hours.map_or_else(|| ", made by command".to_owned(), |h| format!(", one every {h} h")),
                    b.recipients
                ),
            ),
            None => finding("Newest backup", Standing::Attention, "None yet."),
        };
        let drill = match b.verified {
            Some((made, at)) => finding(
                "Verified restore",
                met_if(days(at, now) <= DRILL_AGE_LIMIT_DAYS),
                format!(
                    "The backup of {} was restored and checked (audit log replayed, every sealed value opened) on {}.",
                    date(made, tz),
                    date(at, tz)
                ),
            ),
            None => finding(
                "Verified restore",
                Standing::Attention,
                "No backup has been proven to restore: run `haven backup verify --identity <key file>`.",
            ),
        };
        Section { title: "Backups", findings: vec![newest, drill] }
    }

    /// Records the owner's business associate agreement with one of the services outside Haven
    /// (`service` as [`Subprocessor::key`]): the day it was signed and the signed document, of
    /// which its SHA-256 is kept.
    pub async fn record_subprocessor_agreement(
        &self,
        actor: &Actor,
        service: &str,
        signed_on: &str,
        document: &[u8],
    ) -> Result<()> {
        actor.may(Resource::Subprocessors, Action::Create)?;
        let mut errors = domain::validation::FieldErrors::default();
        let known =
            ["database", "email", "texts", "video", "clearinghouse", "backups"].into_iter().find(|k| *k == service);
        let service = errors.check("service", known.ok_or_else(|| "is not a service Haven reaches".to_owned()));
        let today = self.today(actor).await?;
        let signed_on = errors.check(
            "signed_on",
            match signed_on.trim().parse::<jiff::civil::Date>() {
                Ok(d) if d <= today => Ok(d),
                Ok(_) => Err("cannot be in the future".to_owned()),
                Err(_) => Err("is not a date (YYYY-MM-DD)".to_owned()),
            },
        );
        if document.is_empty() {
            errors.add("file", "is needed: the signed agreement");
        }
        let (Some(service), Some(signed_on), true) = (service, signed_on, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let record = store::AgreementRecord {
            service: service.to_owned(),
            signed_on,
            document_sha256: crypto::hex::encode(&Sha256::digest(document)),
            recorded_at: self.now(),
            recorded_by: actor.user(),
        };
        let entry = AuditEntry::new("subprocessor.agreement", Crud::Create).resource("subprocessor", service);
        self.recording_by(actor, entry)?.record_associate_agreement(actor.practice(), &record).await?;
        self.audit_drafts_committed();
        Ok(())
    }

    /// Whether the owner has recorded an agreement with `service` (features that send it PHI
    /// stay off without one).
    pub(crate) async fn has_agreement(&self, practice: domain::PracticeId, service: &str) -> Result<bool> {
        Ok(self.store.associate_agreements(practice).await?.iter().any(|a| a.service == service))
    }

    /// What keeps `channel` to the practice's clients closed, if anything: the server not set up
    /// for it, or no business associate agreement recorded with its provider (a client's
    /// address or phone number at a practice is PHI, so nothing goes to one without, DL-2).
    /// Mail to staff is not held back: it carries nothing about clients.
    pub(crate) async fn closed_to_clients(
        &self,
        practice: domain::PracticeId,
        channel: Channel,
    ) -> Result<Option<&'static str>> {
        let (set_up, service) = match channel {
            Channel::Email => (self.outbox.mailer.delivers(), "email"),
            Channel::Sms => (self.sms.delivers(), "texts"),
        };
        Ok(match (set_up, channel) {
            (false, Channel::Email) => Some("e-mail is not set up on this server"),
            (false, Channel::Sms) => Some("text messages are not set up on this server"),
            _ if self.has_agreement(practice, service).await? => None,
            (_, Channel::Email) => Some(
                "no business associate agreement with the mail provider is recorded (the owner records it on the compliance page)",
            ),
            (_, Channel::Sms) => Some(
                "no business associate agreement with the SMS provider is recorded (the owner records it on the compliance page)",
            ),
        })
    }

    /// Why sessions' video links are not given in `practice`, if they are not: the server is
    /// neither the practice's own nor covered by a recorded agreement (sessions are PHI, DL-2).
    pub(crate) async fn video_closed(&self, practice: domain::PracticeId) -> Result<Option<&'static str>> {
        if self.telehealth.is_self_hosted() || self.has_agreement(practice, "video").await? {
            return Ok(None);
        }
        Ok(Some(
            "no business associate agreement with the video service is recorded (the owner records it on the \
             compliance page, or runs the practice's own server)",
        ))
    }

    /// [`Haven::video_closed`] for the actor's practice, for the pages that would show links.
    pub async fn video_closed_for(&self, actor: &Actor) -> Result<Option<&'static str>> {
        actor.may(Resource::Calendars, Action::View)?;
        self.video_closed(actor.practice()).await
    }

    /// The channels to clients that are closed in the actor's practice, each with why.
    pub async fn closed_channels(&self, actor: &Actor) -> Result<Vec<(Channel, &'static str)>> {
        actor.may(Resource::PracticeProfile, Action::View)?;
        self.closed_channels_of(actor.practice()).await
    }

    pub(crate) async fn closed_channels_of(
        &self,
        practice: domain::PracticeId,
    ) -> Result<Vec<(Channel, &'static str)>> {
        let mut closed = Vec::new();
        for channel in [Channel::Email, Channel::Sms] {
            if let Some(why) = self.closed_to_clients(practice, channel).await? {
                closed.push((channel, why));
            }
        }
        Ok(closed)
    }

    /// The services outside Haven this deployment sends the practice's data to.
    fn integrations(&self) -> Vec<Subprocessor> {
        let d = &self.deployment;
        let mut out = Vec::new();
        if let Some(host) = &d.database_host {
            out.push(Subprocessor {
                key: "database",
                service: "Database server",
                host: host.clone(),
                carries: "Everything Haven stores; client data sealed field by field",
                agreement: "Not recorded in Haven: a hosted database needs a BAA with its operator".into(),
                standing: Standing::Attention,
            });
        }
        if let Some(host) = &d.email_host {
            out.push(Subprocessor {
                key: "email",
                service: "E-mail",
                host: host.clone(),
                carries: "Staff and client e-mail addresses; messages carry links and no clinical content",
                agreement: "Not recorded in Haven: until it is, clients are e-mailed nothing (no reminders, \
                            notices or portal links; links are handed over instead), as a client's address at a \
                            practice is PHI"
                    .into(),
                standing: Standing::Attention,
            });
        }
        if let Some(host) = &d.texts_host {
            out.push(Subprocessor {
                key: "texts",
                service: "Text messages",
                host: host.clone(),
                carries: "Clients' phone numbers and reminder texts without diagnosis or service",
                agreement: "Not recorded in Haven: until it is, no text reminder is sent".into(),
                standing: Standing::Attention,
            });
        }
        if let Some(clearinghouse) = self.clearinghouse() {
            out.push(Subprocessor {
                key: "clearinghouse",
                service: "Clearinghouse",
                host: clearinghouse,
                carries: "Claim batches (clients' names, birth dates, insurance, diagnoses, services); \
                          acknowledgements and remittances back",
                agreement: "Not recorded in Haven: until it is, no claim goes to it and nothing is picked up".into(),
                standing: Standing::Attention,
            });
        }
        if let Some(host) = &d.cards_host {
            out.push(Subprocessor {
                key: "cards",
                service: "Card payments",
                host: host.clone(),
                carries: "An amount, the practice's name and an opaque reference; cards are typed on the \
                          processor's page and never reach Haven",
                agreement: "None needed for payment processing (HIPAA §1179); Haven sends it no health information"
                    .into(),
                standing: Standing::Met,
            });
        }
        let (agreement, standing) = if self.telehealth.is_self_hosted() {
            ("The practice's own server (telehealth_self_hosted): no BAA needed".to_owned(), Standing::Met)
        } else if d.video_server.contains("meet.jit.si") {
            (
                "Not recorded in Haven, and the public meet.jit.si offers no BAA: until one is recorded no session \
                 link is given. Run the practice's own Jitsi server (telehealth_self_hosted) or a contracted one"
                    .to_owned(),
                Standing::Attention,
            )
        } else {
            ("Not recorded in Haven: until it is, no session link is given".to_owned(), Standing::Attention)
        };
        out.push(Subprocessor {
            key: "video",
            service: "Video sessions",
            host: d.video_server.trim_start_matches("https://").trim_start_matches("http://").to_owned(),
            carries: "Session audio and video; room names carry no names",
            agreement,
            standing,
        });
        if let Some(backups) = d.backups.as_ref().map(|b| b.summary()).filter(|b| b.recipients > 0) {
            out.push(Subprocessor {
                key: "backups",
                service: "Backup storage",
                host: backups.location,
                carries: "Backups and archived WAL encrypted with age to keys the server does not hold",
                agreement: "None needed on the practice's own disks. Storage run by others (a mounted remote) \
                            needs a BAA even though it holds only ciphertext (HHS's cloud guidance): record it here"
                    .into(),
                standing: Standing::Note,
            });
        }
        if let Some(issuer) = &d.sign_on_issuer {
            out.push(Subprocessor {
                key: "sign_in",
                service: "Staff sign-in",
                host: issuer.trim_start_matches("https://").to_owned(),
                carries: "Staff identities only; no client data",
                agreement: "None needed".into(),
                standing: Standing::Met,
            });
        }
        out
    }
}

/// The keys new values are sealed with: the newest of each purpose (the audit signing key,
/// never rotated with them, aside).
fn current_sealing_keys(keys: &[store::WrappedKey]) -> Vec<&store::WrappedKey> {
    keys.iter()
        .enumerate()
        .filter(|(i, k)| keys[i + 1..].iter().all(|later| later.purpose != k.purpose))
        .map(|(_, k)| k)
        .filter(|k| k.purpose != crypto::Purpose::AuditSigning.as_str())
        .collect()
}

/// Figures for `/metrics` that an operator watches: no practice, no identifier in them.
#[derive(Debug, Clone, Default)]
pub struct OperationsGauges {
    /// The oldest key that new values are still sealed with, in any practice.
    pub oldest_data_key_seconds: f64,
    /// Backups, when the deployment makes them.
    pub backups: Option<BackupSummary>,
}

impl Haven {
    pub async fn operations_gauges(&self) -> Result<OperationsGauges> {
        let now = self.now();
        let mut oldest: f64 = 0.0;
        for practice in self.store.practice_ids().await? {
            let keys = self.store.data_keys(practice).await?;
            for key in current_sealing_keys(&keys) {
                oldest = oldest.max(now.duration_since(key.created_at).as_secs_f64());
            }
        }
        let backups = self.deployment.backups.as_ref().map(|b| b.summary());
        Ok(OperationsGauges { oldest_data_key_seconds: oldest, backups })
    }
}

fn part2_section(program: bool) -> Section {
    Section {
        title: "42 CFR Part 2",
        findings: vec![if program {
            finding(
                "Part 2 program",
                Standing::Met,
                "Yes: substance use disorder records are kept under a key of their own and disclosed only with the \
                 client's written consent, each disclosure with the redisclosure notice and in the accounting.",
            )
        } else {
            finding(
                "Part 2 program",
                Standing::Note,
                "No (set under Practice › Sign-in security if the practice is a federally assisted SUD program).",
            )
        }],
    }
}
