//! `haven demo seed`: a realistic synthetic practice, the same for the same seed.
//!
//! Everything here is invented. Names come from short lists of common given and family
//! names across many cultures; identifiers (NPI, EIN) are well-formed but random.
//! Later issues extend the seed with appointments, notes and claims.

use std::fmt;

use domain::practice::{Address, Npi, PracticeProfile, TaxId, TimeZoneName};
use domain::rng::SplitMix64 as Rng;
use domain::staff::{Email, Password};
use domain::{ClientId, Phi, PracticeId, Role, UserId};
use serde::Serialize;
use sha2::Digest;
use store::{CareTeamMember, NewPractice, NewUser, StoreError};

use crate::auth::Remote;
use crate::clients::sealing as clients;
use crate::{Haven, Result, ServiceError};
use domain::client::{CareRole, ClientDetails, ClientProfile, ClientStatus, Guardian};
use domain::insurance::{InsurancePolicy, SubscriberRelationship};

#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    pub seed: u64,
    pub clients: usize,
    /// Staff with the clinician role (at least the two of every demo practice).
    pub clinicians: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self { seed: 1, clients: 24, clinicians: 2 }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub seed: u64,
    pub practice_id: PracticeId,
    pub practice_name: String,
    pub staff: Vec<SeededStaff>,
    pub clients: Vec<SeededClient>,
}

#[derive(Clone, Serialize)]
pub struct SeededStaff {
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// Demo accounts only: printed so people can sign in as each role.
    pub password: String,
}

impl fmt::Debug for SeededStaff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeededStaff").field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeededClient {
    pub id: ClientId,
    pub name: String,
    pub date_of_birth: jiff::civil::Date,
    pub phone: String,
    pub email: String,
    /// The client agreed to be texted (reminders by text go only to them).
    pub sms_ok: bool,
    /// The primary clinician and the supervisor, as places in the report's `staff`.
    pub primary: Option<usize>,
    pub supervisor: Option<usize>,
}

/// Clients written per transaction: large enough to amortise the commit's fsync.
const CLIENT_BATCH: usize = 1000;

const STAFF_ROLES: [Role; 7] = [
    Role::Owner,
    Role::Administrator,
    Role::Clinician,
    Role::Clinician,
    Role::Supervisor,
    Role::Scheduler,
    Role::Biller,
];

/// Staff names come from the first part of each list and clients' from the rest, so no
/// client shares a name with a staff member (the plaintext scan relies on it).
const CLIENT_NAMES: usize = 20;

const GIVEN: &[&str] = &[
    "Amara",
    "Mateo",
    "Siobhan",
    "Hiroshi",
    "Priya",
    "Tomasz",
    "Fatima",
    "Diego",
    "Ingrid",
    "Kwame",
    "Mei",
    "Rafael",
    "Zainab",
    "Oluwaseun",
    "Anaïs",
    "Dmitri",
    "Leilani",
    "Santiago",
    "Nadia",
    "Emeka",
    "Yuki",
    "Catalina",
    "Björn",
    "Aisha",
    "Thanh",
    "Marisol",
    "Nikolai",
    "Imani",
    "Jorge",
    "Saoirse",
    "Arjun",
    "Beatriz",
    "Kofi",
    "Elif",
    "Malia",
    "Declan",
    "Farah",
    "Joaquín",
    "Noor",
    "Tavita",
];

const FAMILY: &[&str] = &[
    "Okafor",
    "Hernández",
    "Nguyen",
    "Kowalski",
    "Patel",
    "O'Brien",
    "Tanaka",
    "Haddad",
    "Lindqvist",
    "Mensah",
    "Chen",
    "Alvarez",
    "Ivanova",
    "Begay",
    "Mbeki",
    "Rossi",
    "Kim",
    "Castillo",
    "Novak",
    "Adeyemi",
    "Fujimoto",
    "Silva",
    "Nakamura",
    "Yilmaz",
    "Kealoha",
    "Murphy",
    "Sharma",
    "Dubois",
    "Osei",
    "García",
    "Larsen",
    "Rahman",
    "Morales",
    "Schmidt",
    "Tran",
    "Abebe",
    "Walker",
    "Petrov",
    "Quispe",
    "Cohen",
];

const PRACTICE_NAMES: &[&str] = &[
    "Cedar Grove Counseling",
    "Harbor Light Therapy Collective",
    "Riverbend Behavioral Health",
    "Quiet Pines Psychotherapy",
    "Lantern Family Counseling",
    "Northwind Wellness Group",
];

/// (city, state, ZIP, time zone)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Portland", "OR", "97214", "America/Los_Angeles"),
    ("Denver", "CO", "80206", "America/Denver"),
    ("Madison", "WI", "53703", "America/Chicago"),
    ("Asheville", "NC", "28801", "America/New_York"),
    ("Tucson", "AZ", "85719", "America/Phoenix"),
    ("Honolulu", "HI", "96813", "Pacific/Honolulu"),
];

const STREETS: &[&str] = &["Alder St", "Willow Ave", "Harbor Rd", "Juniper Ln", "Maple Ct", "Summit Blvd"];

const WORDS: &[&str] = &[
    "harbor", "maple", "quartz", "lantern", "meadow", "copper", "river", "falcon", "cobalt", "willow", "ember",
    "summit", "orchid", "glacier", "saffron", "timber",
];

/// Credentials shown after clinical staff names.
const CREDENTIALS: &[&str] = &["LCSW", "LPC", "PsyD", "LMFT", "PhD"];

fn generated<T>(what: &str, r: Result<T, String>) -> Result<T> {
    r.map_err(|e| ServiceError::Internal(format!("generated {what} is invalid: {e}")))
}

/// An invented NPI: `1`, eight random digits and the one check digit that makes it valid.
pub(crate) fn invented_npi(rng: &mut Rng) -> Result<Npi> {
    let base = format!("1{}", rng.digits(8));
    (0..10)
        .find_map(|d| Npi::parse(&format!("{base}{d}")).ok())
        .ok_or_else(|| ServiceError::Internal("no NPI check digit".into()))
}

fn profile(rng: &mut Rng) -> Result<PracticeProfile> {
    let (city, state, zip, tz) = rng.pick(PLACES);
    let npi = invented_npi(rng)?;
    Ok(PracticeProfile {
        name: rng.pick(PRACTICE_NAMES).to_owned(),
        address: Address {
            line1: format!("{} {}", 100 + rng.below(9800), rng.pick(STREETS)),
            line2: Some(format!("Suite {}", 100 + rng.below(300))),
            city: city.into(),
            state: state.into(),
            postal_code: zip.into(),
        },
        npi,
        tax_id: generated(
            "EIN",
            TaxId::parse(&format!("{}{}", rng.pick(&["20", "45", "47", "81", "83", "91"]), rng.digits(7))),
        )?,
        time_zone: generated("time zone", TimeZoneName::parse(tz))?,
    })
}

fn email_slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' => Some(c.to_ascii_lowercase()),
            'á' | 'à' | 'ä' | 'Á' => Some('a'),
            'é' | 'è' | 'ë' => Some('e'),
            'í' | 'ï' => Some('i'),
            'ó' | 'ö' => Some('o'),
            'ú' | 'ü' => Some('u'),
            'ñ' => Some('n'),
            ' ' | '-' => Some('-'),
            _ => None,
        })
        .collect()
}

impl Haven {
    /// Creates a synthetic practice with staff of every role and `clients` clients.
    /// `progress(done, total)` is called as clients are written.
    pub async fn seed_demo(&self, options: SeedOptions, progress: impl Fn(usize, usize)) -> Result<SeedReport> {
        let mut rng = Rng::new(options.seed);
        let now = self.now();
        let profile = profile(&mut rng)?;
        let domain = format!("{}.example", email_slug(&profile.name));
        let practice_id = PracticeId::from_random_bytes(rng.bytes16());

        // Clinicians beyond the first two come after the biller.
        let extra = options.clinicians.saturating_sub(2);
        let roles = STAFF_ROLES.into_iter().chain(std::iter::repeat_n(Role::Clinician, extra));
        let mut staff = Vec::with_capacity(STAFF_ROLES.len() + extra);
        let mut users = Vec::with_capacity(STAFF_ROLES.len() + extra);
        for (i, role) in roles.enumerate() {
            let (given, family) = (rng.pick(&GIVEN[..CLIENT_NAMES]), rng.pick(&FAMILY[..CLIENT_NAMES]));
            let clinical = matches!(role, Role::Clinician | Role::Supervisor | Role::Owner);
            let display_name = if clinical {
                format!("{given} {family}, {}", rng.pick(CREDENTIALS))
            } else {
                format!("{given} {family}")
            };
            let email = format!("{}.{}{i}@{domain}", email_slug(given), email_slug(family));
            let email = generated("e-mail", Email::parse(&email))?;
            let password = passphrase(&mut rng);
            let hash = self.hashing.hash(generated("password", Password::new_account(&password, &email, &[]))?).await?;
            users.push((
                NewUser {
                    id: UserId::from_random_bytes(rng.bytes16()),
                    email: email.clone(),
                    display_name: display_name.clone(),
                    password_hash: hash,
                    created_at: now,
                },
                role,
            ));
            staff.push(SeededStaff { display_name, email: email.as_str().to_owned(), role, password });
        }

        let mut users = users.into_iter();
        let owner = users.next().map(|(u, _)| u).ok_or_else(|| ServiceError::Internal("no owner".into()))?;
        let data_keys = self.keys.new_practice_keys(practice_id, now)?;
        let new = NewPractice { id: practice_id, profile, created_at: now, owner, setup_token_hash: None, data_keys };
        self.store.create_practice(&new, now).await.map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::Conflict(format!(
                "seed {} was already applied to this database; choose another --seed",
                options.seed
            )),
            other => other.into(),
        })?;
        // Staff by their place in `staff`, for the care teams below (the owner is first).
        let mut staff_ids = vec![new.owner.id];
        for (user, role) in users {
            self.store.add_staff(practice_id, &user, role).await?;
            staff_ids.push(user.id);
        }
        // A demo practice's owner has accepted the agreement, as a real one must first.
        self.accept_agreement_as(practice_id, new.owner.id, &Remote::new("demo seed", "haven demo seed")).await?;
        self.require_agreement(practice_id).await?;
        let mut rules = self.store.practice(practice_id).await?.ok_or(ServiceError::NotFound)?.rules;
        rules.part2_program = true;
        self.store.set_sign_in_rules(practice_id, &rules).await?;

        let ring = self.keys.keyring(self.store.as_ref(), practice_id).await?;
        let mut clients = Vec::with_capacity(options.clients);
        let mut batch = Vec::with_capacity(CLIENT_BATCH);
        let mut diagnoses = Vec::with_capacity(CLIENT_BATCH);
        let mut measures = Vec::new();
        let mut notes = Vec::new();
        let mut plans = Vec::new();
        for n in 1..=options.clients {
            let id = ClientId::from_random_bytes(rng.bytes16());
            let details = synthetic_client(&mut rng)?;
            let (primary, supervisor) = care_team_of(n, extra);
            let team: Vec<CareTeamMember> = [(primary, CareRole::Primary), (supervisor, CareRole::Supervisor)]
                .into_iter()
                .filter_map(|(staff, role)| staff.map(|i| CareTeamMember { user: staff_ids[i], role, added_at: now }))
                .collect();
            clients.push(SeededClient {
                primary,
                supervisor,
                id,
                name: format!("{} {}", details.given_name.expose(), details.family_name.expose()),
                date_of_birth: *details.date_of_birth.expose(),
                phone: details.phone.as_ref().map(|p| p.expose().clone()).unwrap_or_default(),
                email: details.email.as_ref().map(|e| e.expose().clone()).unwrap_or_default(),
                sms_ok: details.profile.expose().sms_ok,
            });
            if let Some(primary) = primary {
                let sud = (n == PART2_CLIENT).then_some(PART2_CODE);
                let (diagnosis, code) =
                    self.seeded_diagnosis(&ring, practice_id, id, staff_ids[primary], sud, &mut rng, now)?;
                diagnoses.push(diagnosis);
                if n <= MEASURED_CLIENTS {
                    plans.push(seeded_plan(&ring, practice_id, id, staff_ids[primary], code, &mut rng, now)?);
                    measures.extend(seeded_phq9_history(&ring, practice_id, id, staff_ids[primary], &mut rng, now)?);
                    let author = staff_ids[primary];
                    notes.push(seeded_note(&ring, practice_id, id, author, &mut rng, "soap", now - WEEK, true)?);
                    notes.push(seeded_note(&ring, practice_id, id, author, &mut rng, "dap", now, false)?);
                }
            }
            batch.push((clients::seal(&ring, practice_id, id, &details, now)?, team));
            if batch.len() == CLIENT_BATCH || n == options.clients {
                self.store.create_clients(practice_id, &batch).await?;
                self.store.insert_diagnoses(practice_id, &diagnoses).await?;
                self.store.insert_measures(practice_id, &measures).await?;
                self.store.insert_notes(practice_id, &notes).await?;
                for (plan, copy) in plans.drain(..) {
                    self.store.save_plan(practice_id, &plan, &copy).await?;
                }
                diagnoses.clear();
                measures.clear();
                notes.clear();
                batch.clear();
                progress(n, options.clients);
            }
        }
        self.seed_intake_forms(practice_id, new.owner.id, now).await?;
        tracing::info!(practice = %practice_id, staff = staff.len(), clients = clients.len(), "demo practice seeded");
        Ok(SeedReport { seed: options.seed, practice_id, practice_name: new.profile.name, staff, clients })
    }
}

impl Haven {
    /// The sample intake forms, written by the owner; ids follow from the practice's, so the
    /// seed stays repeatable without drawing from its random sequence.
    async fn seed_intake_forms(&self, practice: PracticeId, owner: UserId, now: jiff::Timestamp) -> Result<()> {
        for (kind, title, body) in domain::intake::SAMPLE_FORMS {
            let digest = sha2::Sha256::digest(format!("{practice} {title}").as_bytes());
            let mut id = [0u8; 16];
            id.copy_from_slice(&digest[..16]);
            let record = store::IntakeFormRecord {
                id: uuid::Uuid::from_bytes(id).to_string(),
                kind: kind.as_str().to_owned(),
                title: title.to_owned(),
                body: body.to_owned(),
                created_by: owner,
                created_at: now,
                replaces: None,
                retired_at: None,
            };
            self.store.add_intake_form(practice, &record).await?;
        }
        Ok(())
    }
}

/// Three different words and two digits: printed for people to type, and strong enough for
/// the new-account rule.
fn passphrase(rng: &mut Rng) -> String {
    let mut words: Vec<&str> = Vec::with_capacity(3);
    while words.len() < 3 {
        let word = rng.pick(WORDS);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    format!("{}-{}", words.join("-"), rng.digits(2))
}

const WEEK: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 7);

/// Sentences for synthetic notes: clinical in tone, naming no one.
const NOTE_LINES: [&str; 8] = [
    "Reports sleeping better since the last session.",
    "Discussed stressors at work and practised paced breathing.",
    "Affect brighter; engaged and on time.",
    "Reviewed the thought record; identified two cognitive distortions.",
    "Denies suicidal ideation; safety plan reviewed.",
    "Continue weekly sessions; homework: activity scheduling.",
    "Mood variable this week; coping skills used twice.",
    "Explored values and set one small goal for the week.",
];

/// A synthetic note of `template` on the seeded client, signed or a draft with one field.
#[allow(clippy::too_many_arguments)] // the seed's own helper: each argument is one fact of the note
pub(crate) fn seeded_note(
    ring: &crypto::Keyring,
    practice: PracticeId,
    client: ClientId,
    author: UserId,
    rng: &mut Rng,
    template: &str,
    at: jiff::Timestamp,
    signed: bool,
) -> Result<(store::NoteRecord, store::NoteVersionRecord)> {
    let chosen = domain::notes::template(template).ok_or_else(|| ServiceError::Internal("no template".into()))?;
    let fields = chosen
        .fields
        .iter()
        .take(if signed { chosen.fields.len() } else { 1 })
        .map(|f| (f.key.to_owned(), rng.pick(&NOTE_LINES).to_string()))
        .collect();
    let content = domain::notes::NoteContent {
        template: template.to_owned(),
        service_date: at.to_zoned(jiff::tz::TimeZone::UTC).date(),
        fields,
        goals: Vec::new(),
        ai_request: None,
    };
    let ids = (
        domain::NoteId::from_random_bytes(rng.bytes16()),
        domain::NoteId::from_random_bytes(rng.bytes16()).to_string(),
    );
    crate::clients::notes::seeded_note(ring, practice, ids, client, author, &content, (at, signed))
}

impl Haven {
    /// Adds `per_client` signed notes to every seeded client with a clinician, a batch at a time
    /// (for benchmarks of a practice with a long history); returns how many it wrote.
    pub async fn seed_note_history(
        &self,
        report: &SeedReport,
        per_client: usize,
        progress: impl Fn(usize, usize),
    ) -> Result<usize> {
        let practice = report.practice_id;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let by_email: std::collections::HashMap<String, UserId> =
            self.store.staff(practice).await?.into_iter().map(|m| (m.email.as_str().to_owned(), m.user)).collect();
        let mut rng = Rng::new(report.seed ^ 0x6e6f746573);
        let (mut written, now) = (0, self.now());
        let assigned: Vec<(&SeededClient, UserId)> = report
            .clients
            .iter()
            .filter_map(|c| {
                let author = c.primary.and_then(|i| by_email.get(&report.staff[i].email)).copied();
                author.map(|a| (c, a))
            })
            .collect();
        let total = assigned.len() * per_client;
        let mut batch = Vec::with_capacity(CLIENT_BATCH);
        for (client, author) in assigned {
            for k in 0..per_client {
                let at = now - WEEK * (k as i32 + 1);
                batch.push(seeded_note(&ring, practice, client.id, author, &mut rng, "soap", at, true)?);
                if batch.len() == CLIENT_BATCH {
                    self.store.insert_notes(practice, &batch).await?;
                    written += batch.len();
                    batch.clear();
                    progress(written, total);
                }
            }
        }
        self.store.insert_notes(practice, &batch).await?;
        written += batch.len();
        progress(written, total);
        Ok(written)
    }
}

/// Clients (the first ones with a clinician) who get a history of PHQ-9 scores to plot.
const MEASURED_CLIENTS: usize = 40;

/// Five PHQ-9s three weeks apart, improving as treatment goes on (item 9 never positive, so
/// the demo raises no alert by itself).
fn seeded_phq9_history(
    ring: &crypto::Keyring,
    practice: PracticeId,
    client: ClientId,
    by: UserId,
    rng: &mut Rng,
    now: jiff::Timestamp,
) -> Result<Vec<store::MeasureRecord>> {
    let phq9 = domain::measures::instrument("PHQ-9").ok_or_else(|| ServiceError::Internal("no PHQ-9".into()))?;
    let start = 12 + rng.below(12) as u8;
    (0..5u8)
        .map(|visit| {
            let total = start.saturating_sub(visit * (1 + rng.below(3) as u8));
            let mut answers = [0u8; 9];
            let mut left = total;
            for slot in answers.iter_mut().take(8) {
                *slot = left.min(3);
                left -= *slot;
            }
            let scored = domain::measures::score(phq9, &answers, false).map_err(ServiceError::Internal)?;
            let at = now - jiff::SignedDuration::from_hours(24 * 21 * i64::from(4 - visit));
            let id = domain::MeasureId::from_random_bytes(rng.bytes16());
            crate::clients::measures::measure_record(ring, practice, client, phq9, &scored, (id, at, by))
        })
        .collect()
}

/// Diagnoses common in outpatient therapy, for the demo's charts.
/// Goals a seeded plan draws from: (goal, objectives, interventions).
const PLAN_GOALS: [(&str, &[&str], &[&str]); 4] = [
    (
        "Sleep through most nights",
        &["Five nights a week without waking before 5 a.m.", "Keep a sleep diary"],
        &["CBT-I"],
    ),
    (
        "Fewer days lost to worry",
        &["Worry time kept to 20 minutes a day", "GAD-7 under 10"],
        &["CBT", "Worry postponement"],
    ),
    ("Back to work full days", &["Four full days a week for a month"], &["Behavioural activation", "Graded return"]),
    (
        "Calmer evenings at home",
        &["Two arguments a week or fewer", "One shared activity a week"],
        &["Communication skills"],
    ),
];

/// A plan for a seeded client: one problem from their diagnosis, one or two goals, a review
/// within six weeks, signed by the client on its one version.
fn seeded_plan(
    ring: &crypto::Keyring,
    practice: PracticeId,
    client: ClientId,
    by: UserId,
    code: &str,
    rng: &mut Rng,
    now: jiff::Timestamp,
) -> Result<(store::PlanRecord, store::PlanVersionRecord)> {
    use domain::plan::{ClientSignature, Goal, GoalStatus, PlanContent, Problem};
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let days = |n: i64| today.saturating_add(jiff::Span::new().days(n));
    let first = rng.below(PLAN_GOALS.len());
    let goals = (0..1 + rng.below(2))
        .map(|k| {
            let (text, objectives, interventions) = PLAN_GOALS[(first + k) % PLAN_GOALS.len()];
            Goal {
                id: domain::NoteId::from_random_bytes(rng.bytes16()).to_string(),
                text: text.into(),
                objectives: objectives.iter().map(|o| (*o).to_owned()).collect(),
                interventions: interventions.iter().map(|i| (*i).to_owned()).collect(),
                target: Some(days(60 + rng.below(120) as i64)),
                status: GoalStatus::Active,
            }
        })
        .collect();
    let description = domain::diagnosis::icd10(code).map_or_else(|| code.to_owned(), |c| c.description.clone());
    let content = PlanContent {
        problems: vec![Problem {
            id: domain::NoteId::from_random_bytes(rng.bytes16()).to_string(),
            text: format!("{description}: symptoms that get in the way of daily life"),
            diagnosis: Some(code.to_owned()),
            goals,
        }],
        review_on: Some(days(rng.below(42) as i64)),
        signature: Some(ClientSignature { typed_name: "Signed in session".into(), signed_on: today, plan_version: 1 }),
    };
    let id = domain::NoteId::from_random_bytes(rng.bytes16()).to_string();
    let saved = crate::clients::SavedPlan { id: &id, client, version: 1, by, at: now };
    crate::clients::sealed_plan(ring, practice, &saved, &content)
}

const SEED_CODES: [&str; 6] = ["F33.1", "F41.1", "F43.10", "F43.23", "F90.0", "F32.A"];

/// The demo practice is a 42 CFR Part 2 program, and its first client (the second clinician's)
/// has an alcohol use disorder: a Part 2 record to show.
const PART2_CLIENT: usize = 1;
const PART2_CODE: &str = "F10.20";

impl Haven {
    /// A diagnosis for a seeded client, made by their primary clinician: `code`, or one of
    /// [`SEED_CODES`] (drawn either way, so the seed's other values stay as they were).
    #[allow(clippy::too_many_arguments)] // the seed's own helper: each argument is one fact of it
    fn seeded_diagnosis(
        &self,
        ring: &crypto::Keyring,
        practice: PracticeId,
        client: ClientId,
        by: UserId,
        code: Option<&'static str>,
        rng: &mut Rng,
        now: jiff::Timestamp,
    ) -> Result<(store::DiagnosisRecord, &'static str)> {
        let drawn = rng.pick(&SEED_CODES);
        let code = code.unwrap_or(drawn);
        let onset = now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .saturating_sub(jiff::Span::new().days(30 + rng.below(700) as i64));
        let spec = domain::diagnosis::DiagnosisSpec {
            detail: Phi::new(domain::diagnosis::DiagnosisDetail {
                code: code.to_string(),
                onset: Some(onset),
                note: String::new(),
            }),
            rank: 1,
            status: domain::diagnosis::DiagnosisStatus::Active,
        };
        let id = domain::DiagnosisId::from_random_bytes(rng.bytes16());
        let record = store::DiagnosisRecord {
            id,
            client,
            detail: self.sealed_detail(ring, practice, id, &spec)?,
            rank: 1,
            status: spec.status,
            version: 1,
            created_at: now,
            created_by: by,
            updated_at: None,
        };
        Ok((record, code))
    }
}

/// The care team of the `n`th seeded client, as places in the staff list: the clinicians (the
/// two of `STAFF_ROLES`, then the `extra` after it) and the owner take turns as primary, the
/// supervisor oversees every other clinician's client, and every seventh client waits for the
/// front desk to assign one.
fn care_team_of(n: usize, extra: usize) -> (Option<usize>, Option<usize>) {
    if n.is_multiple_of(7) {
        return (None, None);
    }
    let turn = n % (3 + extra);
    let primary = match turn {
        0..3 => [2, 3, 0][turn],
        _ => STAFF_ROLES.len() + turn - 3,
    };
    (Some(primary), (primary != 0 && n.is_multiple_of(2)).then_some(4))
}

/// Payers a seeded policy names (invented member ids; real payer names are only names).
pub(crate) const PAYERS: [&str; 5] =
    ["Aetna", "Blue Cross Blue Shield", "Cigna", "UnitedHealthcare", "Oregon Health Plan"];

/// Most seeded clients have a policy; a minor has a parent on record who holds it.
fn synthetic_family(rng: &mut Rng, family: &str, minor: bool) -> (Vec<Guardian>, Vec<InsurancePolicy>) {
    let parent = format!("{} {family}", rng.pick(&GIVEN[CLIENT_NAMES..]));
    let guardians = match minor {
        true => vec![Guardian {
            name: parent.clone(),
            relationship: rng.pick(&["mother", "father", "legal guardian"]).to_string(),
            phone: format!("(503) 555-01{:02}", rng.below(100)),
            email: String::new(),
            may_contact: true,
            may_receive_clinical: rng.below(4) > 0,
        }],
        false => Vec::new(),
    };
    if rng.below(4) == 0 {
        return (guardians, Vec::new()); // self-pay
    }
    let member: String = (0..9).map(|_| char::from(b'0' + rng.below(10) as u8)).collect();
    let policy = InsurancePolicy {
        payer: rng.pick(&PAYERS).to_string(),
        member_id: format!("{}{member}", rng.pick(&["W", "XG", "MB", "H"])),
        group_number: format!("G{}", 1000 + rng.below(9000)),
        relationship: if minor { SubscriberRelationship::Child } else { SubscriberRelationship::SelfInsured },
        subscriber_name: if minor { parent } else { String::new() },
        subscriber_birth_date: minor.then(|| jiff::civil::date(1975 + rng.below(15) as i16, 3, 14)),
    };
    (guardians, vec![policy])
}

fn synthetic_client(rng: &mut Rng) -> Result<ClientDetails> {
    let year = 1950 + rng.below(62) as i16;
    let month = 1 + rng.below(12) as i8;
    let day = 1 + rng.below(28) as i8;
    let dob =
        jiff::civil::Date::new(year, month, day).map_err(|e| ServiceError::Internal(format!("generated date: {e}")))?;
    let given = rng.pick(&GIVEN[CLIENT_NAMES..]);
    let family = rng.pick(&FAMILY[CLIENT_NAMES..]);
    // 555-0100 to 555-0199 are reserved for fiction in every North American area code;
    // example.com is reserved for examples.
    let area = rng.pick(&["503", "541", "971", "458"]);
    let phone = format!("({area}) 555-01{:02}", rng.below(100));
    let mailbox: String = format!("{given}.{family}{}", rng.below(100))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .flat_map(|c| c.to_lowercase())
        .collect();
    // The seed's clock is 2026 or later: born after 2008, a minor.
    let (guardians, insurance) = synthetic_family(rng, family, year > 2008);
    // An address from a generator of its own (drawn from the client's name and birth date),
    // so the main sequence, and every seeded value after it, stays as it was.
    let mut home = Rng::new(
        format!("{given}{family}{dob}")
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)),
    );
    let (city, state, zip, _) = home.pick(PLACES);
    Ok(ClientDetails {
        given_name: Phi::new(given.to_owned()),
        family_name: Phi::new(family.to_owned()),
        date_of_birth: Phi::new(dob),
        phone: Some(Phi::new(phone)),
        email: Some(Phi::new(format!("{mailbox}@example.com"))),
        profile: Phi::new(ClientProfile {
            pronouns: rng.pick(&["she/her", "he/him", "they/them", ""]).to_string(),
            address_line1: format!("{} {}", 100 + home.below(9800), home.pick(STREETS)),
            city: city.to_string(),
            state: state.to_string(),
            postal_code: zip.to_string(),
            claim_sex: home.pick(&["F", "M"]).to_string(),
            sms_ok: rng.below(2) == 0,
            email_ok: true,
            voicemail_ok: rng.below(3) > 0,
            guardians,
            insurance,
            ..ClientProfile::default()
        }),
        status: if rng.below(10) == 0 { ClientStatus::Prospect } else { ClientStatus::Active },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passphrases_pass_the_new_account_rule() {
        let email = Email::parse("staff@example.org").unwrap_or_else(|e| panic!("{e}"));
        for seed in 0..400 {
            let phrase = passphrase(&mut Rng::new(seed));
            let judged = Password::new_account(&phrase, &email, &[]);
            assert!(judged.is_ok(), "{phrase}: {:?}", judged.err());
        }
    }

    #[test]
    fn same_seed_same_practice() -> Result<()> {
        let a = profile(&mut Rng::new(7))?;
        let b = profile(&mut Rng::new(7))?;
        assert_eq!(a, b);
        assert_ne!(profile(&mut Rng::new(8))?, a);
        Ok(())
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(email_slug("Hernández"), "hernandez");
        assert_eq!(email_slug("O'Brien"), "obrien");
        assert_eq!(email_slug("Cedar Grove Counseling"), "cedar-grove-counseling");
    }
}
