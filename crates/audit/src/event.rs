//! An audit event and its one encoding (AUDIT.md §1–2): a CBOR map with integer keys 0…20 in
//! the order of the spec's table, nested maps keyed 0…n the same way, absent fields left out.
//! Events carry identifiers and codes only, never PHI text.

use crate::cbor::{CborError, Cursor, Value};

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

#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// know are checked and ignored (a later version may add some).
    pub fn decode(body: &[u8]) -> Result<Event, EventError> {
        let mut event = Event::empty();
        event.decode_from(body)?;
        Ok(event)
    }

    /// [`Event::decode`] into this event, reusing its strings and lists: a verifier replaying
    /// millions of events allocates only when one holds more than any before it. After an
    /// error the event holds part of the body and means nothing.
    pub fn decode_from(&mut self, body: &[u8]) -> Result<(), EventError> {
        let mut c = Cursor::new(body);
        let mut previous = None;
        let mut version = None;
        // Bit k: key k was read (each at most once: keys strictly increase).
        let mut seen = 0u32;
        for _ in 0..read(c.map(), "v")? {
            let key = match c.key(&mut previous)? {
                Some(k) if k <= 20 => k,
                _ => {
                    c.skip()?;
                    continue;
                }
            };
            seen |= 1 << key;
            match key {
                0 => version = Some(read(c.uint(), "v")?),
                1 => self.seq = read(c.uint(), "seq")?,
                2 => self.id = uuid(&mut c, "id")?,
                3 => self.recorded = read(c.uint(), "recorded")?,
                4 => self.practice = uuid(&mut c, "practice")?,
                5 => actor_into(&mut c, &mut self.actor)?,
                6 => self.on_behalf_of = Some(uuid(&mut c, "on_behalf_of")?),
                7 => text_into(&mut c, "action", &mut self.action)?,
                8 => {
                    self.crud = read(c.text(), "crud").and_then(|t| Crud::parse(t).ok_or(EventError::Field("crud")))?
                }
                9 => self.client = Some(uuid(&mut c, "client")?),
                10 => resources_into(&mut c, &mut self.resources)?,
                11 => texts_into(&mut c, "categories", &mut self.categories)?,
                12 => self.outcome = outcome(&mut c)?,
                13 => opt_text_into(&mut c, "purpose", &mut self.purpose)?,
                14 => source_into(&mut c, self.source.get_or_insert_with(Source::default))?,
                15 => texts_into(&mut c, "changed", &mut self.changed)?,
                16 => self.disclosure = Some(disclosure(&mut c)?),
                17 => self.ai = Some(ai_use(&mut c)?),
                18 => self.client_prev = Some(read(c.uint(), "client_prev")?),
                19 => self.actor_prev = Some(read(c.uint(), "actor_prev")?),
                _ => self.salt = fixed(&mut c, "salt")?,
            }
        }
        c.finish()?;
        match version {
            Some(VERSION) => {}
            Some(other) => return Err(EventError::Version(other)),
            None => return Err(EventError::Field("v")),
        }
        for (key, name) in REQUIRED {
            if seen & (1 << key) == 0 {
                return Err(EventError::Field(name));
            }
        }
        // What this body leaves out is absent, whatever the event before it held.
        let absent = |key: u32| seen & (1 << key) == 0;
        if absent(6) {
            self.on_behalf_of = None;
        }
        if absent(9) {
            self.client = None;
        }
        if absent(10) {
            self.resources.clear();
        }
        if absent(11) {
            self.categories.clear();
        }
        if absent(13) {
            self.purpose = None;
        }
        if absent(14) {
            self.source = None;
        }
        if absent(15) {
            self.changed.clear();
        }
        if absent(16) {
            self.disclosure = None;
        }
        if absent(17) {
            self.ai = None;
        }
        if absent(18) {
            self.client_prev = None;
        }
        if absent(19) {
            self.actor_prev = None;
        }
        Ok(())
    }

    /// An event with nothing read into it yet.
    pub(crate) fn empty() -> Event {
        Event {
            seq: 0,
            id: [0; 16],
            recorded: 0,
            practice: [0; 16],
            actor: Actor { kind: ActorKind::System, user: None, role: None, session: None },
            on_behalf_of: None,
            action: String::new(),
            crud: Crud::Read,
            client: None,
            resources: Vec::new(),
            categories: Vec::new(),
            outcome: Outcome::Ok,
            purpose: None,
            source: None,
            changed: Vec::new(),
            disclosure: None,
            ai: None,
            client_prev: None,
            actor_prev: None,
            salt: [0; 16],
        }
    }
}

/// The keys every event has, with the names errors give them, in the order they are checked.
const REQUIRED: [(u32, &str); 9] = [
    (1, "seq"),
    (2, "id"),
    (3, "recorded"),
    (4, "practice"),
    (5, "actor"),
    (7, "action"),
    (8, "crud"),
    (12, "outcome"),
    (20, "salt"),
];

/// A read of the wrong kind of item names the field; anything else is a CBOR error.
fn read<T>(r: Result<T, CborError>, field: &'static str) -> Result<T, EventError> {
    r.map_err(|e| match e {
        CborError::Unexpected { .. } => EventError::Field(field),
        other => EventError::Cbor(other),
    })
}

fn read_text(c: &mut Cursor<'_>, field: &'static str) -> Result<String, EventError> {
    read(c.text(), field).map(str::to_owned)
}

fn read_texts(c: &mut Cursor<'_>, field: &'static str) -> Result<Vec<String>, EventError> {
    (0..read(c.array(), field)?).map(|_| read_text(c, field)).collect()
}

/// Reads a text into `out`, reusing its allocation.
fn text_into(c: &mut Cursor<'_>, field: &'static str, out: &mut String) -> Result<(), EventError> {
    let text = read(c.text(), field)?;
    out.clear();
    out.push_str(text);
    Ok(())
}

fn opt_text_into(c: &mut Cursor<'_>, field: &'static str, out: &mut Option<String>) -> Result<(), EventError> {
    text_into(c, field, out.get_or_insert_with(String::new))
}

/// Reads an array of texts into `out`, reusing the strings it already holds.
fn texts_into(c: &mut Cursor<'_>, field: &'static str, out: &mut Vec<String>) -> Result<(), EventError> {
    let len = read(c.array(), field)?;
    out.truncate(len);
    for i in 0..len {
        if i == out.len() {
            out.push(String::new());
        }
        text_into(c, field, &mut out[i])?;
    }
    Ok(())
}

fn fixed<const N: usize>(c: &mut Cursor<'_>, field: &'static str) -> Result<[u8; N], EventError> {
    read(c.bytes(), field).and_then(|b| <[u8; N]>::try_from(b).map_err(|_| EventError::Field(field)))
}

fn uuid(c: &mut Cursor<'_>, field: &'static str) -> Result<Uuid, EventError> {
    fixed(c, field)
}

/// Reads a map with unsigned keys, handing each known one (below `known`) to `field`; returns
/// which were read (bit k for key k).
fn entries<'a>(
    c: &mut Cursor<'a>,
    name: &'static str,
    known: u64,
    mut field: impl FnMut(&mut Cursor<'a>, u64) -> Result<(), EventError>,
) -> Result<u32, EventError> {
    let mut previous = None;
    let mut seen = 0;
    for _ in 0..read(c.map(), name)? {
        match c.key(&mut previous)? {
            Some(k) if k < known => {
                seen |= 1 << k;
                field(c, k)?;
            }
            _ => c.skip()?,
        }
    }
    Ok(seen)
}

fn actor_into(c: &mut Cursor<'_>, actor: &mut Actor) -> Result<(), EventError> {
    let seen = entries(c, "actor", 4, |c, k| {
        match k {
            0 => {
                actor.kind =
                    read(c.text(), "actor").and_then(|t| ActorKind::parse(t).ok_or(EventError::Field("actor")))?
            }
            1 => actor.user = Some(uuid(c, "actor")?),
            2 => opt_text_into(c, "actor", &mut actor.role)?,
            _ => opt_text_into(c, "actor", &mut actor.session)?,
        }
        Ok(())
    })?;
    if seen & 1 == 0 {
        return Err(EventError::Field("actor"));
    }
    if seen & 0b10 == 0 {
        actor.user = None;
    }
    if seen & 0b100 == 0 {
        actor.role = None;
    }
    if seen & 0b1000 == 0 {
        actor.session = None;
    }
    Ok(())
}

fn outcome(c: &mut Cursor<'_>) -> Result<Outcome, EventError> {
    let (mut code, mut reason) = (None, None);
    entries(c, "outcome", 2, |c, k| {
        match k {
            0 => code = Some(read(c.text(), "outcome")?),
            _ => reason = Some(read(c.text(), "outcome")?),
        }
        Ok(())
    })?;
    match (code, reason) {
        (Some("ok"), None) => Ok(Outcome::Ok),
        (Some("denied"), Some(reason)) => Ok(Outcome::Denied(reason.to_owned())),
        (Some("error"), Some(reason)) => Ok(Outcome::Error(reason.to_owned())),
        _ => Err(EventError::Field("outcome")),
    }
}

/// Reads the resources into `out`, reusing the ones it already holds.
fn resources_into(c: &mut Cursor<'_>, out: &mut Vec<Resource>) -> Result<(), EventError> {
    let len = read(c.array(), "resource")?;
    out.truncate(len);
    for i in 0..len {
        if i == out.len() {
            out.push(Resource { kind: String::new(), id: String::new(), version: None });
        }
        let resource = &mut out[i];
        let seen = entries(c, "resource", 3, |c, k| {
            match k {
                0 => text_into(c, "resource", &mut resource.kind)?,
                1 => text_into(c, "resource", &mut resource.id)?,
                _ => resource.version = Some(read(c.uint(), "resource")?),
            }
            Ok(())
        })?;
        if seen & 0b11 != 0b11 {
            return Err(EventError::Field("resource"));
        }
        if seen & 0b100 == 0 {
            resource.version = None;
        }
    }
    Ok(())
}

fn source_into(c: &mut Cursor<'_>, source: &mut Source) -> Result<(), EventError> {
    let seen = entries(c, "source", 3, |c, k| {
        let slot = match k {
            0 => &mut source.ip,
            1 => &mut source.request,
            _ => &mut source.agent,
        };
        opt_text_into(c, "source", slot)
    })?;
    for (bit, slot) in [&mut source.ip, &mut source.request, &mut source.agent].into_iter().enumerate() {
        if seen & (1 << bit) == 0 {
            *slot = None;
        }
    }
    Ok(())
}

fn disclosure(c: &mut Cursor<'_>) -> Result<Disclosure, EventError> {
    let (mut recipient, mut purpose, mut records, mut basis) = (None, None, None, None);
    entries(c, "disclosure", 4, |c, k| {
        match k {
            0 => recipient = Some(uuid(c, "disclosure")?),
            1 => purpose = Some(read_text(c, "disclosure")?),
            2 => records = Some(read_texts(c, "disclosure")?),
            _ => basis = Some(read_text(c, "disclosure")?),
        }
        Ok(())
    })?;
    let missing = || EventError::Field("disclosure");
    Ok(Disclosure {
        recipient: recipient.ok_or_else(missing)?,
        purpose: purpose.ok_or_else(missing)?,
        records: records.ok_or_else(missing)?,
        basis: basis.ok_or_else(missing)?,
    })
}

fn ai_use(c: &mut Cursor<'_>) -> Result<AiUse, EventError> {
    let (mut model, mut version, mut input, mut output) = (None, None, None, None);
    entries(c, "ai", 4, |c, k| {
        match k {
            0 => model = Some(read_text(c, "ai")?),
            1 => version = Some(read_text(c, "ai")?),
            2 => input = Some(fixed(c, "ai")?),
            _ => output = Some(fixed(c, "ai")?),
        }
        Ok(())
    })?;
    let missing = || EventError::Field("ai");
    Ok(AiUse {
        model: model.ok_or_else(missing)?,
        model_version: version.ok_or_else(missing)?,
        input_hash: input.ok_or_else(missing)?,
        output_hash: output.ok_or_else(missing)?,
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
        full.resources.push(Resource { kind: "note".into(), id: "n1".into(), version: None });
        full.actor.session = Some("s1".into());
        for event in [sample(0), full.clone()] {
            let body = event.encode();
            assert_eq!(check_canonical(&body)?, event);
        }

        // Read into an event that held another, nothing of the earlier one stays.
        let mut bare = sample(9);
        bare.actor = Actor { kind: ActorKind::System, user: None, role: None, session: None };
        (bare.client, bare.client_prev, bare.purpose, bare.source) = (None, None, None, None);
        (bare.resources, bare.categories) = (vec![], vec![]);
        let mut reused = Event::decode(&full.encode())?;
        for event in [bare, sample(3), full] {
            reused.decode_from(&event.encode())?;
            assert_eq!(reused, event);
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

    /// Unknown keys are checked like known ones: a later version's value that is not canonical
    /// is refused, a canonical one ignored; a key given twice is refused.
    #[test]
    fn unknown_values_are_held_to_the_same_encoding() {
        let with = |tail: &[u8]| {
            let mut body = sample(1).encode();
            body[0] += 1; // one entry more (the map has fewer than 23)
            body.extend_from_slice(tail);
            body
        };
        assert!(Event::decode(&with(&[0x18, 0x28, 0x01])).is_ok(), "key 40, value 1");
        assert!(Event::decode(&with(&[0x18, 0x28, 0x18, 0x01])).is_err(), "key 40, 1 written long");
        assert!(Event::decode(&with(&[0x18, 0x28, 0x9f, 0xff])).is_err(), "key 40, indefinite array");
        assert!(Event::decode(&with(&[0x14, 0x41, 0x00])).is_err(), "key 20 again");
        for tail in [[0x18, 0x28, 0x01].as_slice(), &[0x18, 0x28, 0x18, 0x01], &[0x14, 0x41, 0x00]] {
            assert_eq!(Event::decode(&with(tail)).is_ok(), Value::decode(&with(tail)).is_ok(), "{tail:?}");
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
