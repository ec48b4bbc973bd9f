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
        Event::from_value(Value::decode(body)?)
    }

    /// Reads a decoded body, taking its parts.
    pub fn from_value(value: Value) -> Result<Event, EventError> {
        let mut f = fields(value, 21).ok_or(EventError::Field("v"))?;
        let version = uint(f[0].take()).ok_or(EventError::Field("v"))?;
        if version != VERSION {
            return Err(EventError::Version(version));
        }
        let mut actor = f[5].take().and_then(|a| fields(a, 4)).ok_or(EventError::Field("actor"))?;
        let mut outcome = f[12].take().and_then(|o| fields(o, 2)).ok_or(EventError::Field("outcome"))?;
        let reason = string(outcome[1].take());
        Ok(Event {
            seq: uint(f[1].take()).ok_or(EventError::Field("seq"))?,
            id: uuid(f[2].take()).ok_or(EventError::Field("id"))?,
            recorded: uint(f[3].take()).ok_or(EventError::Field("recorded"))?,
            practice: uuid(f[4].take()).ok_or(EventError::Field("practice"))?,
            actor: Actor {
                kind: string(actor[0].take()).and_then(|k| ActorKind::parse(&k)).ok_or(EventError::Field("actor"))?,
                user: optional(actor[1].take(), uuid, "actor")?,
                role: optional(actor[2].take(), string, "actor")?,
                session: optional(actor[3].take(), string, "actor")?,
            },
            on_behalf_of: optional(f[6].take(), uuid, "on_behalf_of")?,
            action: string(f[7].take()).ok_or(EventError::Field("action"))?,
            crud: string(f[8].take()).and_then(|c| Crud::parse(&c)).ok_or(EventError::Field("crud"))?,
            client: optional(f[9].take(), uuid, "client")?,
            resources: optional(f[10].take(), resources, "resource")?.unwrap_or_default(),
            categories: optional(f[11].take(), strings, "categories")?.unwrap_or_default(),
            outcome: match (string(outcome[0].take()).as_deref(), reason) {
                (Some("ok"), None) => Outcome::Ok,
                (Some("denied"), Some(reason)) => Outcome::Denied(reason),
                (Some("error"), Some(reason)) => Outcome::Error(reason),
                _ => return Err(EventError::Field("outcome")),
            },
            purpose: optional(f[13].take(), string, "purpose")?,
            source: optional(f[14].take(), source, "source")?,
            changed: optional(f[15].take(), strings, "changed")?.unwrap_or_default(),
            disclosure: optional(f[16].take(), disclosure, "disclosure")?,
            ai: optional(f[17].take(), ai_use, "ai")?,
            client_prev: optional(f[18].take(), uint, "client_prev")?,
            actor_prev: optional(f[19].take(), uint, "actor_prev")?,
            salt: bytes(f[20].take())
                .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
                .ok_or(EventError::Field("salt"))?,
        })
    }
}

/// A map's entries under keys 0…n-1, taken out of it; other keys are ignored.
fn fields(value: Value, n: usize) -> Option<Vec<Option<Value>>> {
    let Value::Map(entries) = value else { return None };
    let mut out: Vec<Option<Value>> = (0..n).map(|_| None).collect();
    for (key, value) in entries {
        if let Value::Unsigned(k) = key
            && let Some(slot) = out.get_mut(k as usize)
        {
            *slot = Some(value);
        }
    }
    Some(out)
}

fn optional<T>(
    v: Option<Value>,
    read: impl Fn(Option<Value>) -> Option<T>,
    field: &'static str,
) -> Result<Option<T>, EventError> {
    match v {
        None => Ok(None),
        some => read(some).map(Some).ok_or(EventError::Field(field)),
    }
}

fn uint(v: Option<Value>) -> Option<u64> {
    match v? {
        Value::Unsigned(n) => Some(n),
        _ => None,
    }
}

fn string(v: Option<Value>) -> Option<String> {
    match v? {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

fn bytes(v: Option<Value>) -> Option<Vec<u8>> {
    match v? {
        Value::Bytes(b) => Some(b),
        _ => None,
    }
}

fn uuid(v: Option<Value>) -> Option<Uuid> {
    bytes(v).and_then(|b| Uuid::try_from(b.as_slice()).ok())
}

fn hash(v: Option<Value>) -> Option<[u8; 32]> {
    bytes(v).and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
}

fn strings(v: Option<Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(items) => items.into_iter().map(|i| string(Some(i))).collect(),
        _ => None,
    }
}

fn resources(v: Option<Value>) -> Option<Vec<Resource>> {
    match v? {
        Value::Array(items) => items
            .into_iter()
            .map(|r| {
                let mut r = fields(r, 3)?;
                Some(Resource {
                    kind: string(r[0].take())?,
                    id: string(r[1].take())?,
                    version: match r[2].take() {
                        None => None,
                        some => Some(uint(some)?),
                    },
                })
            })
            .collect(),
        _ => None,
    }
}

fn source(v: Option<Value>) -> Option<Source> {
    let mut f = fields(v?, 3)?;
    let mut field = |k: usize| match f[k].take() {
        None => Some(None),
        some => string(some).map(Some),
    };
    Some(Source { ip: field(0)?, request: field(1)?, agent: field(2)? })
}

fn disclosure(v: Option<Value>) -> Option<Disclosure> {
    let mut f = fields(v?, 4)?;
    Some(Disclosure {
        recipient: uuid(f[0].take())?,
        purpose: string(f[1].take())?,
        records: strings(f[2].take())?,
        basis: string(f[3].take())?,
    })
}

fn ai_use(v: Option<Value>) -> Option<AiUse> {
    let mut f = fields(v?, 4)?;
    Some(AiUse {
        model: string(f[0].take())?,
        model_version: string(f[1].take())?,
        input_hash: hash(f[2].take())?,
        output_hash: hash(f[3].take())?,
    })
}

/// Checks that `body` is a canonical encoding and reads it. The decoder accepts nothing but
/// canonical input (shortest heads, definite lengths, keys in strictly increasing bytewise
/// order, no floats or tags, nothing after the value), so a body it reads re-encodes to itself;
/// the tests hold it to that.
pub fn check_canonical(body: &[u8]) -> Result<Event, EventError> {
    Event::decode(body)
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

    /// What the decoder accepts re-encodes to the same bytes, for every event shape here.
    #[test]
    fn accepted_bodies_re_encode_to_themselves() {
        for seq in [0, 23, 24, 255, 256, 65_535, 65_536, u64::from(u32::MAX) + 1] {
            let body = sample(seq).encode();
            let value = Value::decode(&body).expect("decodes");
            assert_eq!(value.encode(), body, "seq {seq}");
        }
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
