//! An audit event and its one encoding (AUDIT.md §1–2): a CBOR map with integer keys 0…20 in
//! the order of the spec's table, nested maps keyed 0…n the same way, absent fields left out.
//! Events carry identifiers and codes only, never PHI text.

use crate::cbor::{CborError, Value};

/// A UUID as its 16 bytes.
pub type Uuid = [u8; 16];

/// The encoding version this build writes and reads.
pub const VERSION: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: u64,
    pub id: Uuid,
    /// Microseconds since the Unix epoch, UTC; never earlier than the previous event's.
    pub recorded: u64,
    pub practice: Uuid,
    pub actor: Actor,
    pub on_behalf_of: Option<Uuid>,
    /// A stable dotted code: `client.view`, `auth.sign_in`, …
    pub action: String,
    pub crud: Crud,
    pub client: Option<Uuid>,
    pub resources: Vec<Resource>,
    pub categories: Vec<String>,
    pub outcome: Outcome,
    pub purpose: Option<String>,
    pub source: Option<Source>,
    /// Names of changed fields, never their values.
    pub changed: Vec<String>,
    pub disclosure: Option<Disclosure>,
    pub ai: Option<AiUse>,
    pub client_prev: Option<u64>,
    pub actor_prev: Option<u64>,
    pub salt: [u8; 16],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Staff,
    Client,
    System,
    ApiToken,
    Ai,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub user: Option<Uuid>,
    pub role: Option<String>,
    /// The session or API token the request came with (its id, never the token).
    pub session: Option<String>,
}

/// C, R, U, D or E, as FHIR AuditEvent.action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crud {
    Create,
    Read,
    Update,
    Delete,
    Execute,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub kind: String,
    pub id: String,
    pub version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused; the code names the rule that refused.
    Denied(String),
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub ip: Option<String>,
    pub request: Option<String>,
    pub agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub recipient: Uuid,
    pub purpose: String,
    pub records: Vec<String>,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiUse {
    pub model: String,
    pub model_version: String,
    pub input_hash: [u8; 32],
    pub output_hash: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Cbor(#[from] CborError),
    #[error("the body is not a version {VERSION} event: field {0} is missing or of the wrong kind")]
    Field(&'static str),
    #[error("the body is version {0}, which this build does not read")]
    Version(u64),
    #[error("the body is not in its canonical encoding")]
    NotCanonical,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Client => "client",
            ActorKind::System => "system",
            ActorKind::ApiToken => "api_token",
            ActorKind::Ai => "ai",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [ActorKind::Staff, ActorKind::Client, ActorKind::System, ActorKind::ApiToken, ActorKind::Ai]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl Crud {
    pub fn as_str(self) -> &'static str {
        match self {
            Crud::Create => "C",
            Crud::Read => "R",
            Crud::Update => "U",
            Crud::Delete => "D",
            Crud::Execute => "E",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Crud::Create, Crud::Read, Crud::Update, Crud::Delete, Crud::Execute].into_iter().find(|c| c.as_str() == s)
    }
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied(_) => "denied",
            Outcome::Error(_) => "error",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Ok => None,
            Outcome::Denied(r) | Outcome::Error(r) => Some(r),
        }
    }
}

/// A map from the fields present, keyed 0…n.
fn map(fields: Vec<(u64, Option<Value>)>) -> Value {
    Value::Map(fields.into_iter().filter_map(|(k, v)| v.map(|v| (Value::Unsigned(k), v))).collect())
}

fn text(s: &str) -> Value {
    Value::text(s)
}

fn texts(items: &[String]) -> Option<Value> {
    (!items.is_empty()).then(|| Value::Array(items.iter().map(|s| text(s)).collect()))
}

impl Event {
    pub fn to_value(&self) -> Value {
        let actor = map(vec![
            (0, Some(text(self.actor.kind.as_str()))),
            (1, self.actor.user.map(|u| Value::Bytes(u.to_vec()))),
            (2, self.actor.role.as_deref().map(text)),
            (3, self.actor.session.as_deref().map(text)),
        ]);
        let resources = (!self.resources.is_empty()).then(|| {
            Value::Array(
                self.resources
                    .iter()
                    .map(|r| {
                        map(vec![(0, Some(text(&r.kind))), (1, Some(text(&r.id))), (2, r.version.map(Value::Unsigned))])
                    })
                    .collect(),
            )
        });
        let outcome = map(vec![(0, Some(text(self.outcome.code()))), (1, self.outcome.reason().map(text))]);
        let source = self.source.as_ref().map(|s| {
            map(vec![
                (0, s.ip.as_deref().map(text)),
                (1, s.request.as_deref().map(text)),
                (2, s.agent.as_deref().map(text)),
            ])
        });
        let disclosure = self.disclosure.as_ref().map(|d| {
            map(vec![
                (0, Some(Value::Bytes(d.recipient.to_vec()))),
                (1, Some(text(&d.purpose))),
                (2, Some(Value::Array(d.records.iter().map(|r| text(r)).collect()))),
                (3, Some(text(&d.basis))),
            ])
        });
        let ai = self.ai.as_ref().map(|a| {
            map(vec![
                (0, Some(text(&a.model))),
                (1, Some(text(&a.model_version))),
                (2, Some(Value::Bytes(a.input_hash.to_vec()))),
                (3, Some(Value::Bytes(a.output_hash.to_vec()))),
            ])
        });
        map(vec![
            (0, Some(Value::Unsigned(VERSION))),
            (1, Some(Value::Unsigned(self.seq))),
            (2, Some(Value::Bytes(self.id.to_vec()))),
            (3, Some(Value::Unsigned(self.recorded))),
            (4, Some(Value::Bytes(self.practice.to_vec()))),
            (5, Some(actor)),
            (6, self.on_behalf_of.map(|u| Value::Bytes(u.to_vec()))),
            (7, Some(text(&self.action))),
            (8, Some(text(self.crud.as_str()))),
            (9, self.client.map(|c| Value::Bytes(c.to_vec()))),
            (10, resources),
            (11, texts(&self.categories)),
            (12, Some(outcome)),
            (13, self.purpose.as_deref().map(text)),
            (14, source),
            (15, texts(&self.changed)),
            (16, disclosure),
            (17, ai),
            (18, self.client_prev.map(Value::Unsigned)),
            (19, self.actor_prev.map(Value::Unsigned)),
            (20, Some(Value::Bytes(self.salt.to_vec()))),
        ])
    }

    /// The stored body.
    pub fn encode(&self) -> Vec<u8> {
        self.to_value().encode()
    }

    /// Reads a stored body, refusing any but its canonical encoding. Keys this version does not
    /// know are ignored (a later version may add some).
    pub fn decode(body: &[u8]) -> Result<Event, EventError> {
        let value = Value::decode(body)?;
        let version = uint(value.get(0)).ok_or(EventError::Field("v"))?;
        if version != VERSION {
            return Err(EventError::Version(version));
        }
        let actor = value.get(5).ok_or(EventError::Field("actor"))?;
        let outcome = value.get(12).ok_or(EventError::Field("outcome"))?;
        let reason = || string(outcome.get(1)).ok_or(EventError::Field("outcome"));
        Ok(Event {
            seq: uint(value.get(1)).ok_or(EventError::Field("seq"))?,
            id: uuid(value.get(2)).ok_or(EventError::Field("id"))?,
            recorded: uint(value.get(3)).ok_or(EventError::Field("recorded"))?,
            practice: uuid(value.get(4)).ok_or(EventError::Field("practice"))?,
            actor: Actor {
                kind: string(actor.get(0)).and_then(|k| ActorKind::parse(&k)).ok_or(EventError::Field("actor"))?,
                user: optional(actor.get(1), uuid, "actor")?,
                role: optional(actor.get(2), string, "actor")?,
                session: optional(actor.get(3), string, "actor")?,
            },
            on_behalf_of: optional(value.get(6), uuid, "on_behalf_of")?,
            action: string(value.get(7)).ok_or(EventError::Field("action"))?,
            crud: string(value.get(8)).and_then(|c| Crud::parse(&c)).ok_or(EventError::Field("crud"))?,
            client: optional(value.get(9), uuid, "client")?,
            resources: optional(value.get(10), resources, "resource")?.unwrap_or_default(),
            categories: optional(value.get(11), strings, "categories")?.unwrap_or_default(),
            outcome: match string(outcome.get(0)).as_deref() {
                Some("ok") => Outcome::Ok,
                Some("denied") => Outcome::Denied(reason()?),
                Some("error") => Outcome::Error(reason()?),
                _ => return Err(EventError::Field("outcome")),
            },
            purpose: optional(value.get(13), string, "purpose")?,
            source: optional(value.get(14), source, "source")?,
            changed: optional(value.get(15), strings, "changed")?.unwrap_or_default(),
            disclosure: optional(value.get(16), disclosure, "disclosure")?,
            ai: optional(value.get(17), ai_use, "ai")?,
            client_prev: optional(value.get(18), uint, "client_prev")?,
            actor_prev: optional(value.get(19), uint, "actor_prev")?,
            salt: value
                .get(20)
                .and_then(bytes)
                .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
                .ok_or(EventError::Field("salt"))?,
        })
    }
}

fn optional<T>(
    v: Option<&Value>,
    read: impl Fn(Option<&Value>) -> Option<T>,
    field: &'static str,
) -> Result<Option<T>, EventError> {
    match v {
        None => Ok(None),
        Some(v) => read(Some(v)).map(Some).ok_or(EventError::Field(field)),
    }
}

fn uint(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Unsigned(n) => Some(*n),
        _ => None,
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Text(s) => Some(s.clone()),
        _ => None,
    }
}

fn bytes(v: &Value) -> Option<&Vec<u8>> {
    match v {
        Value::Bytes(b) => Some(b),
        _ => None,
    }
}

fn uuid(v: Option<&Value>) -> Option<Uuid> {
    bytes(v?).and_then(|b| Uuid::try_from(b.as_slice()).ok())
}

fn hash(v: Option<&Value>) -> Option<[u8; 32]> {
    bytes(v?).and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(items) => items.iter().map(|i| string(Some(i))).collect(),
        _ => None,
    }
}

fn resources(v: Option<&Value>) -> Option<Vec<Resource>> {
    match v? {
        Value::Array(items) => items
            .iter()
            .map(|r| {
                Some(Resource {
                    kind: string(r.get(0))?,
                    id: string(r.get(1))?,
                    version: match r.get(2) {
                        None => None,
                        some => Some(uint(some)?),
                    },
                })
            })
            .collect(),
        _ => None,
    }
}

fn source(v: Option<&Value>) -> Option<Source> {
    let v = v?;
    let field = |k| match v.get(k) {
        None => Some(None),
        some => string(some).map(Some),
    };
    Some(Source { ip: field(0)?, request: field(1)?, agent: field(2)? })
}

fn disclosure(v: Option<&Value>) -> Option<Disclosure> {
    let v = v?;
    Some(Disclosure {
        recipient: uuid(v.get(0))?,
        purpose: string(v.get(1))?,
        records: strings(v.get(2))?,
        basis: string(v.get(3))?,
    })
}

fn ai_use(v: Option<&Value>) -> Option<AiUse> {
    let v = v?;
    Some(AiUse {
        model: string(v.get(0))?,
        model_version: string(v.get(1))?,
        input_hash: hash(v.get(2))?,
        output_hash: hash(v.get(3))?,
    })
}

/// Checks that `body` is a canonical encoding: decoding and re-encoding gives the same bytes.
pub fn check_canonical(body: &[u8]) -> Result<Event, EventError> {
    let event = Event::decode(body)?;
    // Unknown keys survive in the generic value, so compare at that level.
    if Value::decode(body)?.encode() != body {
        return Err(EventError::NotCanonical);
    }
    Ok(event)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample(seq: u64) -> Event {
        Event {
            seq,
            id: [seq as u8; 16],
            recorded: 1_764_000_000_000_000 + seq,
            practice: [9; 16],
            actor: Actor { kind: ActorKind::Staff, user: Some([1; 16]), role: Some("clinician".into()), session: None },
            on_behalf_of: None,
            action: "client.view".into(),
            crud: Crud::Read,
            client: Some([2; 16]),
            resources: vec![Resource { kind: "client".into(), id: "c1".into(), version: Some(3) }],
            categories: vec!["demographics".into()],
            outcome: Outcome::Ok,
            purpose: Some("TREAT".into()),
            source: Some(Source { ip: Some("127.0.0.1".into()), request: Some("r1".into()), agent: None }),
            changed: vec![],
            disclosure: None,
            ai: None,
            client_prev: seq.checked_sub(1),
            actor_prev: None,
            salt: [5; 16],
        }
    }

    #[test]
    fn every_field_survives_a_round_trip() -> Result<(), EventError> {
        let mut full = sample(7);
        full.on_behalf_of = Some([3; 16]);
        full.outcome = Outcome::Denied("not_on_care_team".into());
        full.changed = vec!["role".into()];
        full.disclosure = Some(Disclosure {
            recipient: [4; 16],
            purpose: "HPAYMT".into(),
            records: vec!["n1".into()],
            basis: "consent".into(),
        });
        full.ai =
            Some(AiUse { model: "m".into(), model_version: "1".into(), input_hash: [1; 32], output_hash: [2; 32] });
        full.actor_prev = Some(2);
        for event in [sample(0), full] {
            let body = event.encode();
            assert_eq!(check_canonical(&body)?, event);
        }
        Ok(())
    }

    #[test]
    fn a_typical_event_is_small() {
        let len = sample(123_456).encode().len();
        assert!(len <= 256, "{len} bytes");
    }

    #[test]
    fn unknown_keys_are_kept_and_ignored() -> Result<(), EventError> {
        let Value::Map(mut entries) = sample(1).to_value() else { unreachable!("an event is a map") };
        entries.push((Value::Unsigned(40), Value::text("later")));
        let body = Value::Map(entries).encode();
        assert_eq!(check_canonical(&body)?, sample(1));
        Ok(())
    }

    #[test]
    fn a_re_encoding_that_is_not_canonical_is_refused() {
        let body = sample(1).encode();
        // seq 1 written with a one-byte argument: same number, other bytes.
        let at = body.windows(2).position(|w| w == [0x01, 0x01]).expect("key 1 then seq 1");
        let mut longer = body[..at + 1].to_vec();
        longer.extend_from_slice(&[0x18, 0x01]);
        longer.extend_from_slice(&body[at + 2..]);
        assert!(check_canonical(&longer).is_err());
    }
}
