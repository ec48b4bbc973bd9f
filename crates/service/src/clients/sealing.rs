//! Clients' personal data on its way into and out of storage: sealed field by field (bound to
//! practice, table, column and row), indexed blindly, opened only as PHI.

use crypto::blind::{name_prefix, normalize_email, normalize_name, normalize_phone};
use crypto::seal::Aad;
use crypto::{Keyring, Purpose};
use domain::client::{ClientDetails, ClientProfile};
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use store::{ClientIndex, SealedClient, SealedColumn};

use crate::ServiceError;

/// The sealed columns of the clients table; the last three may be absent.
pub(crate) const SEALED_COLUMNS: [&str; 6] =
    ["given_name", "family_name", "date_of_birth", "phone", "email", "profile"];

/// A client's sealed values opened (each one of [`SEALED_COLUMNS`], `None` where absent).
pub(crate) type Opened = [Option<Phi<String>>; 6];

/// A client's indexed values in the clear.
struct Plain<'a> {
    given_name: &'a str,
    family_name: &'a str,
    date_of_birth: &'a str,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

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
        "email" => client.email.as_deref(),
        _ => client.profile.as_deref(),
    }
}

pub(crate) fn column_mut<'a>(client: &'a mut SealedClient, column: &str) -> Option<&'a mut Vec<u8>> {
    match column {
        "given_name" => Some(&mut client.given_name),
        "family_name" => Some(&mut client.family_name),
        "date_of_birth" => Some(&mut client.date_of_birth),
        "phone" => client.phone.as_mut(),
        "email" => client.email.as_mut(),
        _ => client.profile.as_mut(),
    }
}

fn sealing_failed(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("sealing a client failed: {e}"))
}

/// Seals every personal field, bound to (practice, "clients", column, client id), and computes
/// the blind indexes the lookups use. Status and version are the caller's to set.
pub(crate) fn seal(
    ring: &Keyring,
    practice: PracticeId,
    id: ClientId,
    details: &ClientDetails,
    now: Timestamp,
) -> Result<SealedClient, ServiceError> {
    let (practice_text, row) = (practice.to_string(), id.to_string());
    let sealed = |column: &'static str, value: &[u8]| {
        ring.seal(Purpose::Records, &aad(&practice_text, column, &row), value).map_err(sealing_failed)
    };
    let birth = details.date_of_birth.expose().to_string();
    let plain = Plain {
        given_name: details.given_name.expose(),
        family_name: details.family_name.expose(),
        date_of_birth: &birth,
        phone: details.phone.as_ref().map(|p| p.expose().as_str()),
        email: details.email.as_ref().map(|e| e.expose().as_str()),
    };
    let profile = serde_json::to_vec(details.profile.expose()).map_err(sealing_failed)?;
    let mut client = SealedClient {
        id,
        given_name: sealed("given_name", plain.given_name.as_bytes())?,
        family_name: sealed("family_name", plain.family_name.as_bytes())?,
        date_of_birth: sealed("date_of_birth", plain.date_of_birth.as_bytes())?,
        phone: plain.phone.map(|p| sealed("phone", p.as_bytes())).transpose()?,
        email: plain.email.map(|e| sealed("email", e.as_bytes())).transpose()?,
        profile: Some(sealed("profile", &profile)?),
        given_name_index: String::new(),
        family_name_index: String::new(),
        family_prefix_index: String::new(),
        date_of_birth_index: String::new(),
        phone_index: None,
        email_index: None,
        created_at: now,
        status: details.status,
        version: 1,
        updated_at: None,
    };
    set_indexes(ring, &mut client, &plain)?;
    Ok(client)
}

/// The blind index of `value` in `index`, with the current index key: what a row holding that
/// value stores, so what a lookup asks for.
pub(crate) fn index_of(ring: &Keyring, index: ClientIndex, value: &str) -> Result<String, ServiceError> {
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
    let [a, b, c, d, e, f] = SEALED_COLUMNS.map(|name| open_column(ring, practice, client, name));
    Ok([a?, b?, c?, d?, e?, f?])
}

/// A client's demographics, opened.
pub(crate) fn open_details(
    ring: &Keyring,
    practice: &str,
    client: &SealedClient,
) -> Result<ClientDetails, ServiceError> {
    let [given, family, birth, phone, email, profile] = open(ring, practice, client)?;
    let corrupt = |what: &str| ServiceError::Internal(format!("client {}: {what} is not readable", client.id));
    let date_of_birth =
        birth.ok_or_else(|| corrupt("date of birth"))?.expose().parse().map_err(|_| corrupt("date of birth"))?;
    let profile: ClientProfile = match profile {
        Some(json) => serde_json::from_str(json.expose()).map_err(|_| corrupt("profile"))?,
        None => ClientProfile::default(),
    };
    Ok(ClientDetails {
        given_name: given.ok_or_else(|| corrupt("given name"))?,
        family_name: family.ok_or_else(|| corrupt("family name"))?,
        date_of_birth: Phi::new(date_of_birth),
        phone,
        email,
        profile: Phi::new(profile),
        status: client.status,
    })
}

/// A client's given and family names, opened.
pub(crate) fn open_names(
    ring: &Keyring,
    practice: &str,
    client: &SealedClient,
) -> Result<(Phi<String>, Phi<String>), ServiceError> {
    let missing = || ServiceError::Internal(format!("client {}: a name is missing", client.id));
    let given = open_column(ring, practice, client, "given_name")?.ok_or_else(missing)?;
    let family = open_column(ring, practice, client, "family_name")?.ok_or_else(missing)?;
    Ok((given, family))
}

/// Where a value of a sealed column outside the clients table lives; bound into its ciphertext.
pub(crate) fn cell_aad<'a>(practice: &'a str, column: SealedColumn, row: &'a str) -> Aad<'a> {
    Aad { practice, table: column.table(), column: column.column(), row }
}

/// Seals `value` for `column` of `row` with the records key.
pub(crate) fn seal_cell(
    ring: &Keyring,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    value: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    seal_cell_with(ring, Purpose::Records, practice, column, row, value)
}

/// [`seal_cell`] with the key of `purpose` (psychotherapy notes have their own, EK-4).
pub(crate) fn seal_cell_with(
    ring: &Keyring,
    purpose: Purpose,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    value: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    let practice = practice.to_string();
    ring.seal(purpose, &cell_aad(&practice, column, row), value).map_err(sealing_failed)
}

/// Opens a value of `column` of `row`, as PHI bytes.
pub(crate) fn open_cell(
    ring: &Keyring,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    sealed: &[u8],
) -> Result<Phi<Vec<u8>>, ServiceError> {
    let practice = practice.to_string();
    let plain = ring.open(&cell_aad(&practice, column, row), sealed).map_err(|e| {
        ServiceError::Internal(format!("opening {}.{} {row} failed: {e}", column.table(), column.column()))
    })?;
    Ok(Phi::new(plain.to_vec()))
}

/// A value kept as JSON in `column` of `row`, sealed with the records key.
pub(crate) fn seal_json(
    ring: &Keyring,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    value: &impl serde::Serialize,
) -> Result<Vec<u8>, ServiceError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| ServiceError::Internal(format!("encoding {}.{} failed: {e}", column.table(), column.column())))?;
    seal_cell(ring, practice, column, row, &json)
}

/// Opens a value [`seal_json`] sealed.
pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
    ring: &Keyring,
    practice: PracticeId,
    column: SealedColumn,
    row: &str,
    sealed: &[u8],
) -> Result<T, ServiceError> {
    let plain = open_cell(ring, practice, column, row, sealed)?;
    serde_json::from_slice(plain.expose())
        .map_err(|_| ServiceError::Internal(format!("{}.{} {row} is not readable", column.table(), column.column())))
}

/// "Given Family", opened: how lists outside the chart name a client.
pub(crate) fn open_full_name(
    ring: &Keyring,
    practice: &str,
    client: &SealedClient,
) -> Result<Phi<String>, ServiceError> {
    let (given, family) = open_names(ring, practice, client)?;
    Ok(Phi::new(format!("{} {}", given.expose(), family.expose())))
}
