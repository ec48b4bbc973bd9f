//! Clients (CR-1, CR-2, EK-6): added, found, opened and edited only through the chart policy,
//! each access an audit event, each value sealed.

pub(crate) mod access;
mod care_team;
mod diagnoses;
pub(crate) mod disclosures;
pub(crate) mod documents;
mod groups;
pub(crate) mod measures;
pub(crate) mod note_templates;
pub(crate) mod notes;
mod plans;
pub(crate) mod sealing;

use std::collections::BTreeSet;

use crypto::blind::normalize_name;
use domain::client::{CareRole, ClientDetails, ClientForm, ClientStatus};
use domain::document::DocumentKind;
use domain::policy::{Action, ChartPart, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId, Role};
use store::{CareTeamMember, ClientIndex, SealedClient, StoreError};

pub use access::{ChartAccess, GlassBreak};
pub use care_team::{CareTeamChoice, TeamMember};
pub use diagnoses::Diagnosis;
pub use disclosures::{ConsentView, DisclosurePackage, DisclosureView, Disclosures, Section};
pub use documents::{Document, Upload};
pub use groups::{Group, GroupMember};
pub use measures::{Measurement, RiskAlert};
pub use note_templates::PracticeTemplate;
pub(crate) use notes::key_purpose;
pub use notes::{NoteHeader, NoteView};
pub use plans::{PLAN_REVIEW_NOTICE_DAYS, Plan, PlanChange};
pub(crate) use plans::{SavedPlan, sealed_plan};

use self::sealing::{index_of, open_column, open_details, open_names};
use crate::audit_log::{AuditEntry, Crud};
use crate::error::{stale, valid};
use crate::{Actor, Haven, ServiceError};

/// What a client is looked up by. Names, phone numbers and e-mail addresses are normalized as
/// they were when indexed, so case, accents, spacing and punctuation do not matter.
#[derive(Debug, Clone)]
pub enum ClientQuery {
    GivenName(Phi<String>),
    FamilyName(Phi<String>),
    /// The start of a family name, at least [`crypto::blind::PREFIX_CHARS`] letters.
    FamilyNameStart(Phi<String>),
    DateOfBirth(Phi<jiff::civil::Date>),
    Phone(Phi<String>),
    Email(Phi<String>),
}

/// One client in a list: enough to recognise them, nothing more.
#[derive(Debug, Clone)]
pub struct ClientSummary {
    pub id: ClientId,
    pub given_name: Phi<String>,
    pub family_name: Phi<String>,
    pub date_of_birth: Phi<jiff::civil::Date>,
    pub status: ClientStatus,
    /// The actor's part in the client's care, if any.
    pub care_role: Option<CareRole>,
    /// When the client's treatment plan is due for review, if soon or overdue (caseloads only).
    pub plan_review: Option<jiff::civil::Date>,
}

/// A client's record as the chart shows it.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: ClientId,
    pub details: ClientDetails,
    /// Rises with each saved change; an edit is made from it.
    pub version: i64,
    pub created_at: jiff::Timestamp,
    /// Whole years, today in the practice's time zone.
    pub age: i16,
    pub care_team: Vec<TeamMember>,
    /// The diagnoses, if the actor may see them (the care team and billing).
    pub diagnoses: Option<Vec<Diagnosis>>,
    pub can_edit_diagnoses: bool,
    /// The outcome measures, oldest first, if the actor may see them (the care team).
    pub measures: Option<Vec<Measurement>>,
    pub can_administer: bool,
    /// The latest notes' headers, if the actor may see notes (the care team).
    pub notes: Option<Vec<NoteHeader>>,
    pub can_write_notes: bool,
    /// The treatment plan (`Some(None)`: none yet), if the actor may see it (the care team).
    pub plan: Option<Option<Plan>>,
    pub can_edit_plan: bool,
    /// The documents the actor may see (paperwork, clinical documents or both), newest first.
    pub documents: Vec<Document>,
    /// The kinds of document the actor may add.
    pub document_kinds: Vec<DocumentKind>,
    /// The practice is a 42 CFR Part 2 program: its clients' SUD diagnoses carry the label.
    pub part2_program: bool,
    /// The couples and families the client belongs to.
    pub groups: Vec<Group>,
    /// How the actor came to see it: their part in the care, or the break of the glass.
    pub access: ChartAccess,
    /// Whether the actor may change the demographics, and the care team.
    pub can_edit: bool,
    pub can_change_team: bool,
}

/// How many notes the chart lists (the newest).
const CHART_NOTES: u32 = 20;

/// The longest search text: a name, a phone number, an e-mail address or a date.
const SEARCH_MAX: usize = 254;

impl ClientQuery {
    /// What one search box holds, read the way a person means it: an e-mail address, a date of
    /// birth (`1984-03-27` or `03/27/1984`), a phone number, or names (the last word is the
    /// family name or its start, a word before it the given name). `None` for names: those
    /// are looked up by `Haven::find_by_names`.
    fn from_search(text: &str) -> Option<ClientQuery> {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if text.contains('@') {
            return Some(ClientQuery::Email(Phi::new(text.to_owned())));
        }
        if let Some(date) = search_date(text) {
            return Some(ClientQuery::DateOfBirth(Phi::new(date)));
        }
        if digits >= 7 && domain::client::phone_number(text).is_ok() {
            return Some(ClientQuery::Phone(Phi::new(text.to_owned())));
        }
        None
    }
}

/// `YYYY-MM-DD` or the US `MM/DD/YYYY`.
fn search_date(text: &str) -> Option<jiff::civil::Date> {
    if let Ok(date) = text.parse() {
        return Some(date);
    }
    let mut parts = text.split('/').map(|p| p.parse::<i16>().ok());
    let (Some(Some(m)), Some(Some(d)), Some(Some(y)), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    jiff::civil::Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

impl Haven {
    /// The clients matching what was typed in the search box (see [`ClientQuery::from_search`]),
    /// as summaries. Anyone in the practice may look a client up, so that a clinician can find
    /// the one they must break the glass for; opening the record is the chart policy's to judge.
    /// The search is an audit event listing the ids it found, durable before they are returned.
    pub async fn search_clients(&self, actor: &Actor, text: &str) -> crate::Result<Vec<ClientSummary>> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > SEARCH_MAX || text.chars().any(char::is_control) {
            let mut errors = FieldErrors::default();
            errors.add("q", format!("type a name, date of birth, phone or e-mail (at most {SEARCH_MAX} characters)"));
            return Err(ServiceError::Invalid(errors));
        }
        let ids = match ClientQuery::from_search(text) {
            Some(query) => self.find_clients(actor, &query).await?,
            None => self.find_by_names(actor, text).await?,
        };
        self.summaries(actor, ids).await
    }

    /// The one client `typed` finds in the search box's way (other than `except`), or why not,
    /// as an error of `field`. The search is audited like any other.
    pub async fn the_one_client(
        &self,
        actor: &Actor,
        typed: &str,
        except: Option<ClientId>,
        field: &'static str,
    ) -> crate::Result<ClientId> {
        let refuse = |message: String| {
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            ServiceError::Invalid(errors)
        };
        let found = match self.search_clients(actor, typed).await {
            Ok(found) => found,
            Err(ServiceError::Invalid(_)) => {
                return Err(refuse("must be typed: a name, date of birth, phone or e-mail".into()));
            }
            Err(other) => return Err(other),
        };
        let matching: Vec<ClientId> = found.iter().map(|c| c.id).filter(|id| Some(*id) != except).collect();
        match matching.as_slice() {
            [one] => Ok(*one),
            [] if except.is_some() => Err(refuse("matches no other client".into())),
            [] => Err(refuse("matches no client".into())),
            many => Err(refuse(format!("matches {} clients; add a date of birth or phone to match one", many.len()))),
        }
    }

    /// The clients of the actor's practice matching `query`. The search is an audit event
    /// listing the ids it found, durable before they are returned; a refusal is one too.
    pub(crate) async fn find_clients(&self, actor: &Actor, query: &ClientQuery) -> crate::Result<Vec<ClientId>> {
        let entry = self.may_search(actor).await?;
        let found = self.matching_clients(actor.practice(), query).await?;
        self.audited_by(actor, found.iter().fold(entry, |e, id| e.resource("client", id))).await?;
        Ok(found)
    }

    /// Names typed in one box: the last word is the family name (or, with enough letters, its
    /// start); a single word is also tried as a given name; a word before the last must start
    /// the given name.
    async fn find_by_names(&self, actor: &Actor, text: &str) -> crate::Result<Vec<ClientId>> {
        let entry = self.may_search(actor).await?;
        let words: Vec<String> = text.split_whitespace().map(normalize_name).filter(|w| !w.is_empty()).collect();
        let Some(last) = words.last() else { return Ok(Vec::new()) };
        let phi = |s: &str| Phi::new(s.to_owned());
        let family = if last.chars().count() >= crypto::blind::PREFIX_CHARS {
            ClientQuery::FamilyNameStart(phi(last))
        } else {
            ClientQuery::FamilyName(phi(last))
        };
        let practice = actor.practice();
        let mut found: BTreeSet<ClientId> = self.matching_clients(practice, &family).await?.into_iter().collect();
        if let [given] = words.as_slice() {
            found.extend(self.matching_clients(practice, &ClientQuery::GivenName(phi(given))).await?);
        } else {
            let first = &words[0];
            let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
            let practice_text = practice.to_string();
            let mut kept = BTreeSet::new();
            for id in found {
                let Some(client) = self.store.client(practice, id).await? else { continue };
                let given = open_column(&ring, &practice_text, &client, "given_name")?;
                if given.is_some_and(|g| normalize_name(g.expose()).starts_with(first.as_str())) {
                    kept.insert(id);
                }
            }
            found = kept;
        }
        let found: Vec<ClientId> = found.into_iter().collect();
        self.audited_by(actor, found.iter().fold(entry, |e, id| e.resource("client", id))).await?;
        Ok(found)
    }

    /// The clients of `practice` matching `query`, through the blind indexes: the database sees
    /// only keyed hashes. A family-name start is looked up by its first letters' index, then
    /// checked against each candidate's opened name.
    async fn matching_clients(&self, practice: PracticeId, query: &ClientQuery) -> crate::Result<Vec<ClientId>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let (index, value) = match query {
            ClientQuery::GivenName(v) => (ClientIndex::GivenName, v.expose().clone()),
            ClientQuery::FamilyName(v) => (ClientIndex::FamilyName, v.expose().clone()),
            ClientQuery::FamilyNameStart(v) => (ClientIndex::FamilyPrefix, v.expose().clone()),
            ClientQuery::DateOfBirth(v) => (ClientIndex::DateOfBirth, v.expose().to_string()),
            ClientQuery::Phone(v) => (ClientIndex::Phone, v.expose().clone()),
            ClientQuery::Email(v) => (ClientIndex::Email, v.expose().clone()),
        };
        let start = normalize_name(&value);
        if index == ClientIndex::FamilyPrefix && start.chars().count() < crypto::blind::PREFIX_CHARS {
            let mut errors = FieldErrors::default();
            errors.add("family_name", format!("type at least {} letters", crypto::blind::PREFIX_CHARS));
            return Err(ServiceError::Invalid(errors));
        }
        let found = self.store.clients_by_index(practice, index, &index_of(&ring, index, &value)?).await?;
        if index != ClientIndex::FamilyPrefix {
            return Ok(found.into_iter().map(|c| c.id).collect());
        }
        let practice_text = practice.to_string();
        let mut matching = Vec::new();
        for client in found {
            let family = open_column(&ring, &practice_text, &client, "family_name")?;
            if family.is_some_and(|f| normalize_name(f.expose()).starts_with(&start)) {
                matching.push(client.id);
            }
        }
        Ok(matching)
    }

    /// Summaries of clients whose ids an audited search or list has just released.
    async fn summaries(&self, actor: &Actor, ids: Vec<ClientId>) -> crate::Result<Vec<ClientSummary>> {
        let practice = actor.practice();
        let mut clients = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(client) = self.store.client(practice, id).await? {
                let role = self.store.care_role(practice, id, actor.user()).await?;
                clients.push((client, role));
            }
        }
        self.summarize(practice, clients).await
    }

    async fn summarize(
        &self,
        practice: PracticeId,
        clients: Vec<(SealedClient, Option<CareRole>)>,
    ) -> crate::Result<Vec<ClientSummary>> {
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let practice_text = practice.to_string();
        let mut out = Vec::with_capacity(clients.len());
        for (client, care_role) in clients {
            let (given_name, family_name) = open_names(&ring, &practice_text, &client)?;
            let birth = open_column(&ring, &practice_text, &client, "date_of_birth")?;
            let date_of_birth = birth
                .and_then(|b| b.expose().parse().ok())
                .ok_or_else(|| ServiceError::Internal(format!("client {}: date of birth unreadable", client.id)))?;
            out.push(ClientSummary {
                id: client.id,
                given_name,
                family_name,
                date_of_birth: Phi::new(date_of_birth),
                status: client.status,
                care_role,
                plan_review: None,
            });
        }
        out.sort_by(|a, b| {
            (a.family_name.expose().to_lowercase(), a.given_name.expose().to_lowercase())
                .cmp(&(b.family_name.expose().to_lowercase(), b.given_name.expose().to_lowercase()))
        });
        Ok(out)
    }

    /// The actor's caseload: every client in whose care they have a part. Listing names is a
    /// read, audited with the ids it shows.
    pub async fn caseload(&self, actor: &Actor) -> crate::Result<Vec<ClientSummary>> {
        let practice = actor.practice();
        let clients = self.store.caseload(practice, actor.user()).await?;
        let entry = AuditEntry::new("client.list", Crud::Read).categories(&["demographics"]).purpose("TREAT");
        self.audited_by(actor, clients.iter().fold(entry, |e, (c, _)| e.resource("client", c.id))).await?;
        let ids: Vec<ClientId> = clients.iter().map(|(c, _)| c.id).collect();
        let due = self.plans_due_among(actor, &ids).await?;
        let mut summaries = self.summarize(practice, clients.into_iter().map(|(c, r)| (c, Some(r))).collect()).await?;
        for summary in &mut summaries {
            summary.plan_review = due.iter().find(|(id, _)| *id == summary.id).map(|(_, on)| *on);
        }
        Ok(summaries)
    }

    /// The clients added last, for the front desk (who work with every client's details); an
    /// empty list for those who see only their caseload.
    pub async fn recent_clients(&self, actor: &Actor, limit: u32) -> crate::Result<Vec<ClientSummary>> {
        let none = domain::policy::Relationship::None;
        if !domain::policy::decide_chart(actor.role(), none, ChartPart::Demographics, Action::View).is_allowed() {
            return Ok(Vec::new());
        }
        let practice = actor.practice();
        let clients = self.store.recent_clients(practice, limit).await?;
        let entry = AuditEntry::new("client.list", Crud::Read)
            .categories(&["demographics"])
            .purpose(domain::policy::purpose_of_use(actor.role(), domain::policy::Relationship::None));
        self.audited_by(actor, clients.iter().fold(entry, |e, c| e.resource("client", c.id))).await?;
        let mut with_roles = Vec::with_capacity(clients.len());
        for c in clients {
            let role = self.store.care_role(practice, c.id, actor.user()).await?;
            with_roles.push((c, role));
        }
        self.summarize(practice, with_roles).await
    }

    /// Adds a client from the form. A clinician or supervisor who adds one becomes its primary
    /// clinician, as does the owner; the front desk assigns one afterwards.
    pub async fn create_client(&self, actor: &Actor, form: &ClientForm) -> crate::Result<ClientId> {
        let entry = AuditEntry::new("client.create", Crud::Create).categories(&["demographics"]);
        if let Err(refused) = actor.may(Resource::ClientDemographics, Action::Create) {
            self.audited_by(actor, entry.denied(refused.rule())).await?;
            return Err(refused);
        }
        let today = self.today(actor).await?;
        let details = valid(|errors| form.validate(today, errors))?;
        let (practice, id, now) = (actor.practice(), ClientId::random(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let client = sealing::seal(&ring, practice, id, &details, now)?;
        let treats = matches!(actor.role(), Role::Owner | Role::Clinician | Role::Supervisor);
        let team: Vec<CareTeamMember> = treats
            .then(|| CareTeamMember { user: actor.user(), role: CareRole::Primary, added_at: now })
            .into_iter()
            .collect();
        let entry = entry.client(id).resource("client", id).purpose(if treats { "TREAT" } else { "HOPERAT" });
        self.recording_by(actor, entry)?.create_clients(practice, &[(client, team)]).await?;
        self.audit_drafts_committed();
        Ok(id)
    }

    /// Opens a client's chart, if the chart policy lets the actor see it. The read is an audit
    /// event with its purpose of use (`ETREAT` during a break of the glass), durable before
    /// anything is opened; a refusal is an event too.
    pub async fn chart(&self, actor: &Actor, id: ClientId) -> crate::Result<Chart> {
        let client = self.store.client(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, id, ChartPart::Demographics, Action::View, "client.view").await?;
        let practice_text = actor.practice().to_string();
        let ring = self.keys.keyring(self.store.as_ref(), actor.practice()).await?;
        let details = open_details(&ring, &practice_text, &client)?;
        // One read of the practice: its zone dates the chart, its rules label Part 2 records.
        let practice = self.store.practice(actor.practice()).await?.ok_or(ServiceError::NotFound)?;
        let today = self.now().to_zoned(zone_of(&practice)).date();
        let age = details.date_of_birth.expose().until((jiff::Unit::Year, today)).map_or(0, |span| span.get_years());
        let care_team = self.team_members(actor.practice(), id).await?;
        let can_edit = access.allows(actor, ChartPart::Demographics, Action::Update);
        let can_change_team = access.allows(actor, ChartPart::CareTeam, Action::Update);
        // Released under the same audited read: the event lists the diagnoses category.
        let diagnoses = match access.allows(actor, ChartPart::Diagnoses, Action::View) {
            true => Some(self.open_diagnoses(actor.practice(), id).await?),
            false => None,
        };
        let can_edit_diagnoses = access.allows(actor, ChartPart::Diagnoses, Action::Update);
        let measures = match access.allows(actor, ChartPart::Measures, Action::View) {
            true => Some(self.open_measures(actor.practice(), id).await?),
            false => None,
        };
        let can_administer = access.allows(actor, ChartPart::Measures, Action::Update);
        let notes = match access.allows(actor, ChartPart::Notes, Action::View) {
            true => Some(self.note_headers(actor.practice(), id, actor.user(), CHART_NOTES).await?),
            false => None,
        };
        let can_write_notes = access.allows(actor, ChartPart::Notes, Action::Update);
        let plan = match access.allows(actor, ChartPart::Plan, Action::View) {
            true => Some(self.open_plan(actor.practice(), id).await?),
            false => None,
        };
        let can_edit_plan = access.allows(actor, ChartPart::Plan, Action::Update);
        let documents =
            self.open_documents(actor.practice(), id, |part| access.allows(actor, part, Action::View)).await?;
        let document_kinds = DocumentKind::ALL
            .iter()
            .copied()
            .filter(|kind| access.allows(actor, kind.chart_part(), Action::Update))
            .collect();
        let part2_program = practice.rules.part2_program;
        let groups = self.open_groups(actor, id).await?;
        Ok(Chart {
            groups,
            part2_program,
            documents,
            document_kinds,
            plan,
            can_edit_plan,
            notes,
            can_write_notes,
            measures,
            can_administer,
            diagnoses,
            can_edit_diagnoses,
            id,
            details,
            version: client.version,
            created_at: client.created_at,
            age,
            care_team,
            access,
            can_edit,
            can_change_team,
        })
    }

    /// Saves an edit of a client's demographics made from `version`; a stale one is refused.
    pub async fn update_client(
        &self,
        actor: &Actor,
        id: ClientId,
        version: i64,
        form: &ClientForm,
    ) -> crate::Result<()> {
        let current = self.store.client(actor.practice(), id).await?.ok_or(ServiceError::NotFound)?;
        let access = self.chart_access(actor, id, ChartPart::Demographics, Action::Update, "client.update").await?;
        let today = self.today(actor).await?;
        let details = valid(|errors| form.validate(today, errors))?;
        let (practice, now) = (actor.practice(), self.now());
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        let sealed = sealing::seal(&ring, practice, id, &details, now)?;
        let client = SealedClient { created_at: current.created_at, version, updated_at: Some(now), ..sealed };
        let entry = AuditEntry::new("client.update", Crud::Update)
            .client(id)
            .resource("client", id)
            .categories(&["demographics"])
            .purpose(access.purpose_for(actor));
        match self.recording_by(actor, entry)?.update_client(practice, &client).await {
            Ok(()) => {
                self.audit_drafts_committed();
                Ok(())
            }
            Err(StoreError::NoRowChanged(_)) => Err(stale("client")),
            Err(other) => Err(other.into()),
        }
    }

    /// Today in the practice's time zone: what birth dates are checked against.
    pub async fn today(&self, actor: &Actor) -> crate::Result<jiff::civil::Date> {
        Ok(self.now().to_zoned(self.practice_zone(actor.practice()).await?).date())
    }

    /// The practice's time zone: where its days begin and its clock times are read.
    pub(crate) async fn practice_zone(&self, practice: PracticeId) -> crate::Result<jiff::tz::TimeZone> {
        let record = self.store.practice(practice).await?.ok_or(ServiceError::NotFound)?;
        Ok(zone_of(&record))
    }
}

/// A practice's time zone (UTC should its stored name be unknown to this build).
pub(crate) fn zone_of(record: &store::PracticeRecord) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(record.profile.time_zone.as_str()).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Staff members' names by id, for what the record says who did.
pub(crate) struct StaffNames(std::collections::HashMap<domain::UserId, String>);

impl StaffNames {
    /// The member's name as the staff list has it now.
    pub(crate) fn of(&self, user: domain::UserId) -> String {
        self.0.get(&user).cloned().unwrap_or_else(|| "a former member".into())
    }
}

impl Haven {
    /// A client's details for a use outside the chart (a list, a letter, a bill), opened only
    /// after `entry`, which names the client, is in the log; `None` when there is no such client.
    pub(crate) async fn client_opened_after(
        &self,
        actor: &Actor,
        client: ClientId,
        entry: AuditEntry,
    ) -> crate::Result<Option<ClientDetails>> {
        let practice = actor.practice();
        let Some(sealed) = self.store.client(practice, client).await? else { return Ok(None) };
        self.audited_by(actor, entry.client(client)).await?;
        let ring = self.keys.keyring(self.store.as_ref(), practice).await?;
        Ok(Some(open_details(&ring, &practice.to_string(), &sealed)?))
    }

    pub(crate) async fn staff_names(&self, practice: PracticeId) -> crate::Result<StaffNames> {
        Ok(StaffNames(self.store.staff(practice).await?.into_iter().map(|m| (m.user, m.display_name)).collect()))
    }
}

impl Haven {
    /// Asks the policy whether the actor may search the client directory: the search's event,
    /// before its outcome, or the refusal, recorded.
    async fn may_search(&self, actor: &Actor) -> crate::Result<AuditEntry> {
        let purpose = domain::policy::purpose_of_use(actor.role(), domain::policy::Relationship::None);
        let entry = AuditEntry::new("client.search", Crud::Read).categories(&["demographics"]).purpose(purpose);
        match actor.may(Resource::ClientDemographics, Action::View) {
            Ok(()) => Ok(entry),
            Err(refused) => {
                self.audited_by(actor, entry.denied(refused.rule())).await?;
                Err(refused)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crypto::kek::LocalKek;
    use store::Store;

    use super::*;
    use crate::demo::{SeedOptions, SeedReport, SeededClient};
    use crate::{FixedMasterKeys, SessionPolicy};

    async fn seeded(dir: &tempfile::TempDir) -> (Haven, SeedReport, Actor) {
        let store = store_sqlite::open(&dir.path().join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
        store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
        let kek = LocalKek::from_hex(&LocalKek::generate_hex().unwrap_or_else(|e| panic!("{e}")));
        let keys = Arc::new(FixedMasterKeys(vec![Arc::new(kek.unwrap_or_else(|e| panic!("{e}")))]));
        let haven = Haven::new(Arc::new(store), SessionPolicy::default(), keys);
        let report = haven.seed_demo(SeedOptions { seed: 11, clients: 300, ..SeedOptions::default() }, |_, _| {}).await;
        let report = report.unwrap_or_else(|e| panic!("{e}"));
        let owner = &report.staff[0];
        let signed_in = haven.sign_in(&owner.email, &owner.password, &crate::Remote::new("192.0.2.1", "test")).await;
        let Ok(crate::SignIn::Complete(_, actor)) = signed_in else { panic!("sign-in failed") };
        (haven, report, actor)
    }

    /// The ids `find` returns, checked against the seeded clients: exactly those for which
    /// `matches` holds.
    async fn check(
        (haven, report, _): &(Haven, SeedReport, Actor),
        query: ClientQuery,
        matches: impl Fn(&SeededClient) -> bool,
    ) {
        let mut found = haven.matching_clients(report.practice_id, &query).await.unwrap_or_else(|e| panic!("{e}"));
        let mut expected: Vec<ClientId> = report.clients.iter().filter(|c| matches(c)).map(|c| c.id).collect();
        found.sort();
        expected.sort();
        assert!(!expected.is_empty());
        assert_eq!(found, expected, "{query:?}");
    }

    #[tokio::test]
    async fn clients_are_found_by_every_index_however_the_value_is_written() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let world = seeded(&dir).await;
        let (haven, report, actor) = &world;
        let client = &report.clients[17];
        let (given, family) = client.name.split_once(' ').unwrap_or_else(|| panic!("two names"));
        let family_of = |c: &SeededClient| c.name.split_once(' ').map(|(_, f)| f.to_owned()).unwrap_or_default();
        let phi = |s: String| Phi::new(s);

        check(&world, ClientQuery::FamilyName(phi(format!("  {} ", family.to_uppercase()))), |c| {
            family_of(c) == family
        })
        .await;
        check(&world, ClientQuery::GivenName(phi(given.to_lowercase())), |c| c.name.starts_with(&format!("{given} ")))
            .await;
        let start: String = family.chars().take(4).collect();
        check(&world, ClientQuery::FamilyNameStart(phi(start.to_lowercase())), |c| family_of(c).starts_with(&start))
            .await;
        check(&world, ClientQuery::DateOfBirth(Phi::new(client.date_of_birth)), |c| {
            c.date_of_birth == client.date_of_birth
        })
        .await;
        // "(503) 555-0142" as "+1 503.555.0142".
        let digits: String = client.phone.chars().filter(char::is_ascii_digit).collect();
        let dotted = format!("+1 {}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]);
        check(&world, ClientQuery::Phone(phi(dotted.clone())), |c| c.phone == client.phone).await;
        check(&world, ClientQuery::Email(phi(format!(" {} ", client.email.to_uppercase()))), |c| {
            c.email == client.email
        })
        .await;

        let nobody = ClientQuery::Email(phi("nobody@example.org".into()));
        assert_eq!(haven.matching_clients(report.practice_id, &nobody).await.ok(), Some(vec![]));
        let short = ClientQuery::FamilyNameStart(phi("Ng".into()));
        assert!(matches!(haven.matching_clients(report.practice_id, &short).await, Err(ServiceError::Invalid(_))));
        // One search box, read the way a person means it.
        let ids = |found: Vec<ClientSummary>| found.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let search = |text: String| async move { haven.search_clients(actor, &text).await.map(ids) };
        let found = |r: crate::Result<Vec<ClientId>>| r.unwrap_or_else(|e| panic!("{e}"));
        assert!(found(search(dotted.clone()).await).contains(&client.id));
        assert!(found(search(format!("{given} {family}")).await).contains(&client.id));
        let start: String = family.chars().take(4).collect();
        assert!(found(search(format!("{} {start}", &given[..2])).await).contains(&client.id));
        let birth = client.date_of_birth;
        let us_date = format!("{:02}/{:02}/{}", birth.month(), birth.day(), birth.year());
        assert!(found(search(us_date).await).contains(&client.id));
        assert!(found(search(client.email.to_uppercase()).await).contains(&client.id));
        let wrong_given = format!("Zz{given} {family}");
        assert!(!found(search(wrong_given).await).contains(&client.id));
        assert!(matches!(haven.search_clients(actor, "  ").await, Err(ServiceError::Invalid(_))));
    }
}
