//! Clients' personal data on its way into storage: sealed field by field, indexed blindly.

use crypto::blind::{name_prefix, normalize_name};
use crypto::seal::Aad;
use crypto::{Keyring, Purpose};
use domain::{ClientId, Phi, PracticeId};
use jiff::Timestamp;
use store::SealedClient;

use crate::ServiceError;

/// A new client's demographics, in the clear (and so PHI throughout).
#[derive(Debug, Clone)]
pub struct ClientDetails {
    pub given_name: Phi<String>,
    pub family_name: Phi<String>,
    pub date_of_birth: Phi<jiff::civil::Date>,
}

/// The sealed columns of the clients table.
pub(crate) const SEALED_COLUMNS: [&str; 3] = ["given_name", "family_name", "date_of_birth"];

/// Where a client's sealed value lives; bound into its ciphertext.
pub(crate) fn aad<'a>(practice: &'a str, column: &'static str, row: &'a str) -> Aad<'a> {
    Aad { practice, table: "clients", column, row }
}

/// The sealed value of `column` (one of [`SEALED_COLUMNS`]).
pub(crate) fn column<'a>(client: &'a SealedClient, column: &str) -> &'a [u8] {
    match column {
        "given_name" => &client.given_name,
        "family_name" => &client.family_name,
        _ => &client.date_of_birth,
    }
}

pub(crate) fn column_mut<'a>(client: &'a mut SealedClient, column: &str) -> &'a mut Vec<u8> {
    match column {
        "given_name" => &mut client.given_name,
        "family_name" => &mut client.family_name,
        _ => &mut client.date_of_birth,
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
    let mut client = SealedClient {
        id,
        given_name: sealed("given_name", details.given_name.expose())?,
        family_name: sealed("family_name", details.family_name.expose())?,
        date_of_birth: sealed("date_of_birth", &birth)?,
        given_name_index: String::new(),
        family_name_index: String::new(),
        family_prefix_index: String::new(),
        date_of_birth_index: String::new(),
        created_at: now,
    };
    set_indexes(ring, &mut client, details.given_name.expose(), details.family_name.expose(), &birth)?;
    Ok(client)
}

/// Computes a client's blind indexes with the current index key.
pub(crate) fn set_indexes(
    ring: &Keyring,
    client: &mut SealedClient,
    given: &str,
    family: &str,
    birth: &str,
) -> Result<(), ServiceError> {
    let fail = |e: crypto::CryptoError| ServiceError::Internal(format!("indexing a client failed: {e}"));
    let (given, family) = (normalize_name(given), normalize_name(family));
    client.given_name_index = ring.index("given_name", &given).map_err(fail)?;
    client.family_name_index = ring.index("family_name", &family).map_err(fail)?;
    client.family_prefix_index = ring.index("family_prefix", &name_prefix(&family)).map_err(fail)?;
    client.date_of_birth_index = ring.index("date_of_birth", birth).map_err(fail)?;
    Ok(())
}

/// Opens one sealed value of a client (one of [`SEALED_COLUMNS`]), as PHI.
pub(crate) fn open_column(
    ring: &Keyring,
    practice: &str,
    client: &SealedClient,
    name: &'static str,
) -> Result<Phi<String>, ServiceError> {
    let row = client.id.to_string();
    let fail = |e: crypto::CryptoError| ServiceError::Internal(format!("opening client {row} failed: {e}"));
    let plain = ring.open(&aad(practice, name, &row), column(client, name)).map_err(fail)?;
    String::from_utf8(plain.to_vec()).map(Phi::new).map_err(|_| fail(crypto::CryptoError::Malformed("not UTF-8")))
}

/// Opens a client's sealed values (given name, family name, date of birth), as PHI.
pub(crate) fn open(ring: &Keyring, practice: &str, client: &SealedClient) -> Result<[Phi<String>; 3], ServiceError> {
    let [given, family, birth] = SEALED_COLUMNS.map(|name| open_column(ring, practice, client, name));
    Ok([given?, family?, birth?])
}
