//! Clients' personal data on its way into storage: sealed field by field, indexed blindly.

use crate::audit_log::{AuditEntry, Crud};
use crypto::blind::{name_prefix, normalize_email, normalize_name, normalize_phone};
use crypto::seal::Aad;
use crypto::{Keyring, Purpose};
use domain::policy::{Action, Resource};
use domain::validation::FieldErrors;
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use store::{ClientIndex, SealedClient};

use crate::{Actor, Haven, ServiceError};

/// A new client's demographics, in the clear (and so PHI throughout).
#[derive(Debug, Clone)]
pub struct ClientDetails {
    pub given_name: Phi<String>,
    pub family_name: Phi<String>,
    pub date_of_birth: Phi<jiff::civil::Date>,
    pub phone: Option<Phi<String>>,
    pub email: Option<Phi<String>>,
}

/// The sealed columns of the clients table; the last two may be absent.
pub(crate) const SEALED_COLUMNS: [&str; 5] = ["given_name", "family_name", "date_of_birth", "phone", "email"];

/// A client's personal values in the clear, as sealed and as indexed.
struct Plain<'a> {
    given_name: &'a str,
    family_name: &'a str,
    date_of_birth: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

/// A client's sealed values opened (each one of [`SEALED_COLUMNS`], `None` where absent).
pub(crate) type Opened = [Option<Phi<String>>; 5];

/// Where a client's sealed value lives; bound into its ciphertext.
pub(crate) fn aad<'a>(practice: &'a str, column: &'static str, row: &'a str) -> Aad<'a> {
    Aad { practice, table: "clients", column, row }
}

/// The sealed value of `column` (one of [`SEALED_COLUMNS`]), if the client has one.
pub(crate) fn column<'a>(client: &'a SealedClient, column: &str) -> Option<&'a [u8]> {
    match column {
        "given_name" => Some(&client.given_name),
        "family_name" => Some(&client.family_name),
        "date_of_birth" => Some(&client.date_of_birth),
        "phone" => client.phone.as_deref(),
        _ => client.email.as_deref(),
    }
}

pub(crate) fn column_mut<'a>(client: &'a mut SealedClient, column: &str) -> Option<&'a mut Vec<u8>> {
    match column {
        "given_name" => Some(&mut client.given_name),
        "family_name" => Some(&mut client.family_name),
        "date_of_birth" => Some(&mut client.date_of_birth),
        "phone" => client.phone.as_mut(),
        _ => client.email.as_mut(),
    }
}

/// Seals every personal field, bound to (practice, "clients", column, client id), and computes
/// the blind indexes the lookups use.
pub(crate) fn seal(
    ring: &Keyring,
    practice: PracticeId,
    id: ClientId,
    details: &ClientDetails,
    now: Timestamp,
) -> Result<SealedClient, ServiceError> {
    let (practice_text, row) = (practice.to_string(), id.to_string());
    let fail = |e: crypto::CryptoError| ServiceError::Internal(format!("sealing a client failed: {e}"));
    let sealed = |column: &'static str, value: &str| {
        ring.seal(Purpose::Records, &aad(&practice_text, column, &row), value.as_bytes()).map_err(fail)
    };
    let birth = details.date_of_birth.expose().to_string();
    let plain = Plain {
        given_name: details.given_name.expose(),
        family_name: details.family_name.expose(),
        date_of_birth: &birth,
        phone: details.phone.as_ref().map(|p| p.expose().as_str()),
        email: details.email.as_ref().map(|e| e.expose().as_str()),
    };
    let mut client = SealedClient {
        id,
        given_name: sealed("given_name", plain.given_name)?,
        family_name: sealed("family_name", plain.family_name)?,
        date_of_birth: sealed("date_of_birth", plain.date_of_birth)?,
        phone: plain.phone.map(|p| sealed("phone", p)).transpose()?,
        email: plain.email.map(|e| sealed("email", e)).transpose()?,
        given_name_index: String::new(),
        family_name_index: String::new(),
        family_prefix_index: String::new(),
        date_of_birth_index: String::new(),
        phone_index: None,
        email_index: None,
        created_at: now,
    };
    set_indexes(ring, &mut client, &plain)?;
    Ok(client)
}

/// The blind index of `value` in `index`, with the current index key: what a row holding that
/// value stores, so what a lookup asks for.
fn index_of(ring: &Keyring, index: ClientIndex, value: &str) -> Result<String, ServiceError> {
    let (column, normalized) = match index {
        ClientIndex::GivenName => ("given_name", normalize_name(value)),
        ClientIndex::FamilyName => ("family_name", normalize_name(value)),
        ClientIndex::FamilyPrefix => ("family_prefix", name_prefix(&normalize_name(value))),
        ClientIndex::DateOfBirth => ("date_of_birth", value.to_owned()),
        ClientIndex::Phone => ("phone", normalize_phone(value)),
        ClientIndex::Email => ("email", normalize_email(value)),
    };
    ring.index(column, &normalized).map_err(|e| ServiceError::Internal(format!("indexing a client failed: {e}")))
}

/// Computes a client's blind indexes with the current index key.
fn set_indexes(ring: &Keyring, client: &mut SealedClient, plain: &Plain<'_>) -> Result<(), ServiceError> {
    client.given_name_index = index_of(ring, ClientIndex::GivenName, plain.given_name)?;
    client.family_name_index = index_of(ring, ClientIndex::FamilyName, plain.family_name)?;
    client.family_prefix_index = index_of(ring, ClientIndex::FamilyPrefix, plain.family_name)?;
    client.date_of_birth_index = index_of(ring, ClientIndex::DateOfBirth, plain.date_of_birth)?;
    client.phone_index = plain.phone.map(|p| index_of(ring, ClientIndex::Phone, p)).transpose()?;
    client.email_index = plain.email.map(|e| index_of(ring, ClientIndex::Email, e)).transpose()?;
    Ok(())
}

/// `client` with its blind indexes recomputed from its opened values (every present one must
/// have opened), for comparison with what is stored.
pub(crate) fn reindexed(ring: &Keyring, client: &SealedClient, opened: &Opened) -> Result<SealedClient, ServiceError> {
    let value = |i: usize| opened[i].as_ref().map(|v| v.expose().as_str());
    let required =
        |i: usize| value(i).ok_or_else(|| ServiceError::Internal(format!("{} did not open", SEALED_COLUMNS[i])));
    let plain = Plain {
        given_name: required(0)?,
        family_name: required(1)?,
        date_of_birth: required(2)?,
        phone: value(3),
        email: value(4),
    };
    let mut fresh = client.clone();
    set_indexes(ring, &mut fresh, &plain)?;
    Ok(fresh)
}

/// Opens one sealed value of a client, as PHI; `None` if the client has no such value.
pub(crate) fn open_column(
    ring: &Keyring,
    practice: &str,
    client: &SealedClient,
    name: &'static str,
) -> Result<Option<Phi<String>>, ServiceError> {
    let Some(sealed) = column(client, name) else { return Ok(None) };
    let row = client.id.to_string();
    let fail = |e: crypto::CryptoError| ServiceError::Internal(format!("opening client {row} failed: {e}"));
    let plain = ring.open(&aad(practice, name, &row), sealed).map_err(fail)?;
    let text = String::from_utf8(plain.to_vec()).map_err(|_| fail(crypto::CryptoError::Malformed("not UTF-8")))?;
    Ok(Some(Phi::new(text)))
}

/// Opens all of a client's sealed values, as PHI.
pub(crate) fn open(ring: &Keyring, practice: &str, client: &SealedClient) -> Result<Opened, ServiceError> {
    let [a, b, c, d, e] = SEALED_COLUMNS.map(|name| open_column(ring, practice, client, name));
    Ok([a?, b?, c?, d?, e?])
}

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

impl Haven {
    /// The clients of the actor's practice matching `query`, if the policy lets the actor see
    /// demographics (today it lets no one: care teams and break-the-glass come with the clinical
    /// record). The search is an audit event listing the ids it found, durable before they are
    /// returned; a refusal is one too.
    #[cfg_attr(not(test), expect(dead_code, reason = "the clinical record's search route calls it"))]
    pub(crate) async fn find_clients(&self, actor: &Actor, query: &ClientQuery) -> crate::Result<Vec<ClientId>> {
        let entry = AuditEntry::new("client.search", Crud::Read).categories(&["demographics"]).purpose("TREAT");
        if let Err(refused) = actor.may(Resource::ClientDemographics, Action::View) {
            self.audited_by(actor, entry.denied(refused.rule())).await?;
            return Err(refused);
        }
        let found = self.matching_clients(actor.practice(), query).await?;
        let entry = found.iter().fold(entry, |e, id| e.resource("client", id));
        self.audited_by(actor, entry).await?;
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
        let report = haven.seed_demo(SeedOptions { seed: 11, clients: 300 }, |_, _| {}).await;
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
        check(&world, ClientQuery::Phone(phi(dotted)), |c| c.phone == client.phone).await;
        check(&world, ClientQuery::Email(phi(format!(" {} ", client.email.to_uppercase()))), |c| {
            c.email == client.email
        })
        .await;

        let nobody = ClientQuery::Email(phi("nobody@example.org".into()));
        assert_eq!(haven.matching_clients(report.practice_id, &nobody).await.ok(), Some(vec![]));
        let short = ClientQuery::FamilyNameStart(phi("Ng".into()));
        assert!(matches!(haven.matching_clients(report.practice_id, &short).await, Err(ServiceError::Invalid(_))));
        // Through the policy: no one reads client data before the audit log exists.
        let query = ClientQuery::Phone(phi(client.phone.clone()));
        assert!(matches!(haven.find_clients(actor, &query).await, Err(ServiceError::Denied(_))));
    }
}
