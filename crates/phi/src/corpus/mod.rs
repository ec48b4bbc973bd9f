//! A seeded generator of synthetic behavioral-health documents with gold labels: progress notes
//! (SOAP, DAP, BIRP), intakes, treatment plans, portal messages (lower case, typos), referral
//! letters, session transcripts and billing notes. Each names the client in varied forms, brings
//! in third parties the chart does not know (a boss, an ex, a friend), and is dense with clinical
//! tokens that must survive (medications, codes, scores, modalities, years, weekdays, states).

pub mod markup;
mod pools;

use crate::civil::ordinal_suffix;
use crate::known::{Known, KnownAddress, KnownClient, KnownContact};
use crate::rng::SplitMix64;
use markup::Marked;
use pools::*;

/// One generated document.
#[derive(Clone, Debug)]
pub struct Generated {
    pub id: String,
    pub marked: Marked,
    pub known: Known,
}

/// `count` documents from `seed`; the same seed always gives the same documents.
pub fn generate(seed: u64, count: usize) -> impl Iterator<Item = Generated> {
    (0..count).map(move |n| {
        let mut w = Writer::new(seed ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let kind = n % KINDS.len();
        let source = KINDS[kind].1(&mut w);
        let marked = markup::parse(&source).unwrap_or_else(|e| panic!("generator produced bad markup ({e}): {source}"));
        Generated { id: format!("syn-{seed}-{n:05}-{}", KINDS[kind].0), marked, known: w.known() }
    })
}

/// Writes one kind of document.
type Template = fn(&mut Writer) -> String;

const KINDS: &[(&str, Template)] = &[
    ("soap", soap),
    ("dap", dap),
    ("birp", birp),
    ("intake", intake),
    ("plan", treatment_plan),
    ("message", portal_message),
    ("referral", referral),
    ("transcript", transcript),
    ("billing", billing),
];

struct Rng(SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

struct Person {
    given: String,
    family: String,
}

struct Writer {
    rng: Rng,
    client: Person,
    preferred: Option<String>,
    female: bool,
    dob: (i32, u32, u32),
    phone: String,
    email: String,
    street: String,
    city: (&'static str, &'static str),
    zip: String,
    mrn: String,
    member: String,
    ssn: String,
    clinician: Person,
    credential: &'static str,
    contact: (Person, &'static str),
    employer: &'static str,
    school: &'static str,
    /// Third parties met so far in this document, reused now and then.
    others: Vec<(String, &'static str)>,
    lower: bool,
}

impl Writer {
    fn new(seed: u64) -> Writer {
        let mut rng = Rng(SplitMix64::new(seed));
        let person =
            |rng: &mut Rng| Person { given: (*rng.pick(GIVEN)).to_owned(), family: (*rng.pick(FAMILY)).to_owned() };
        let mut client = person(&mut rng);
        let mut preferred = None;
        if rng.chance(15) {
            let (full, short) = *rng.pick(NICKNAMES);
            client.given = full.to_owned();
            preferred = Some(short.to_owned());
        }
        let clinician = person(&mut rng);
        let contact =
            (person(&mut rng), *rng.pick(&["mother", "sister", "husband", "wife", "father", "partner", "brother"]));
        let dob = (1935 + rng.below(70) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
        let phone = format!("{}{}{}", 201 + rng.below(700), rng.digits(3), rng.digits(4));
        let user =
            format!("{}.{}{}", client.given, client.family, rng.below(99)).to_lowercase().replace([' ', '\''], "");
        let email = format!("{}@{}", ascii(&user), rng.pick(DOMAINS));
        let street = format!("{} {} {}", 1 + rng.below(9800), rng.pick(STREET_NAMES), rng.pick(STREET_SUFFIXES));
        let city = *rng.pick(CITIES);
        let zip = rng.digits(5);
        let (prefix, len) = (*rng.pick(&["", "MRN", "HV-", "A"]), 6 + rng.below(3));
        let mrn = format!("{prefix}{}", rng.digits(len));
        let (prefix, len) = (*rng.pick(&["XGH", "W", "MCD", "ZQ8", "1EG4-TE5-MK"]), 7 + rng.below(3));
        let member = format!("{prefix}{}", rng.digits(len));
        let ssn = format!("{}-{}-{}", 100 + rng.below(665), rng.digits(2), rng.digits(4));
        Writer {
            female: rng.chance(55),
            credential: CREDENTIALS[rng.below(CREDENTIALS.len())],
            employer: EMPLOYERS[rng.below(EMPLOYERS.len())],
            school: SCHOOLS[rng.below(SCHOOLS.len())],
            rng,
            client,
            preferred,
            dob,
            phone,
            email,
            street,
            city,
            zip,
            mrn,
            member,
            ssn,
            clinician,
            contact,
            others: Vec::new(),
            lower: false,
        }
    }

    fn known(&self) -> Known {
        Known {
            client: KnownClient {
                given: Some(self.client.given.clone()),
                family: Some(self.client.family.clone()),
                preferred: self.preferred.clone(),
                dob: Some(format!("{:04}-{:02}-{:02}", self.dob.0, self.dob.1, self.dob.2)),
                phone: Some(format!("({}) {}-{}", &self.phone[..3], &self.phone[3..6], &self.phone[6..])),
                email: Some(self.email.clone()),
                address: KnownAddress {
                    line: Some(self.street.clone()),
                    city: Some(self.city.0.to_owned()),
                    state: Some(self.city.1.to_owned()),
                    zip: Some(self.zip.clone()),
                },
                mrn: Some(self.mrn.clone()),
                member_id: Some(self.member.clone()),
                ssn: Some(self.ssn.clone()),
            },
            contacts: vec![KnownContact {
                name: Some(format!("{} {}", self.contact.0.given, self.contact.0.family)),
                relationship: Some(self.contact.1.to_owned()),
            }],
            clinicians: vec![format!("{} {}, {}", self.clinician.given, self.clinician.family, self.credential)],
            employer: Some(self.employer.to_owned()),
            school: Some(self.school.to_owned()),
        }
    }

    fn case(&self, s: &str) -> String {
        if self.lower { s.to_lowercase() } else { s.to_owned() }
    }

    fn label(&self, kind: &str, value: &str) -> String {
        format!("[[{kind}:{}]]", self.case(value))
    }

    fn clinical(&self, value: &str) -> String {
        format!("[[~:{}]]", self.case(value))
    }

    fn name(&self, value: &str) -> String {
        // Multi-part names are labelled as a whole; particles and spaces inside are part of it.
        self.label("NAME", value)
    }

    /// The client, in one of the many ways notes refer to people.
    fn client_ref(&mut self) -> String {
        let c = &self.client;
        let title = if self.female { "Ms." } else { "Mr." };
        let typo = swap_letters(&c.family, self.rng.below(1000));
        match self.rng.below(11) {
            0 | 1 => self.name(self.preferred.as_deref().unwrap_or(&c.given.clone())),
            2 => format!("{} {}", title, self.name(&c.family)),
            3 => self.name(&format!("{} {}", c.given, c.family)),
            4 => {
                let initials: String =
                    [&c.given, &c.family].iter().filter_map(|p| p.chars().next()).flat_map(|ch| [ch, '.']).collect();
                self.name(&initials)
            }
            5 => format!("{}'s", self.name(&c.given.clone())),
            6 if self.rng.chance(30) => self.name(&typo),
            _ => self.name(&c.given.clone()),
        }
    }

    fn pronoun(&self) -> &'static str {
        if self.female { "she" } else { "he" }
    }

    fn possessive(&self) -> &'static str {
        if self.female { "her" } else { "his" }
    }

    /// A third party with a relationship word: "her boss, Karen Li".
    fn other(&mut self) -> String {
        if !self.others.is_empty() && self.rng.chance(35) {
            let (name, rel) = self.others[self.rng.below(self.others.len())].clone();
            let first = name.split(' ').next().unwrap_or(&name).to_owned();
            return format!("{rel} {}", self.name(&first));
        }
        let rel = *self.rng.pick(RELATIONS);
        let given = *self.rng.pick(GIVEN);
        let name = if self.rng.chance(40) { format!("{given} {}", self.rng.pick(FAMILY)) } else { given.to_owned() };
        self.others.push((name.clone(), rel));
        let det = *self.rng.pick(&[self.possessive(), "client's", "a", "the"]);
        let comma = if self.rng.chance(30) { "," } else { "" };
        format!("{det} {rel}{comma} {}", self.name(&name))
    }

    fn clinician_ref(&mut self) -> String {
        let c = &self.clinician;
        match self.rng.below(3) {
            0 => format!("Dr. {}", self.name(&c.family.clone())),
            1 => format!("{}, {}", self.name(&format!("{} {}", c.given, c.family)), self.credential),
            _ => self.name(&format!("{} {}", c.given, c.family)),
        }
    }

    fn date(&mut self) -> String {
        let (y, m, d) = (2018 + self.rng.below(8) as i32, 1 + self.rng.below(12) as u32, 1 + self.rng.below(28) as u32);
        self.format_date(y, m, d)
    }

    fn format_date(&mut self, y: i32, m: u32, d: u32) -> String {
        let month = MONTHS[m as usize - 1];
        let text = match self.rng.below(10) {
            0 => format!("{m:02}/{d:02}/{y}"),
            1 => format!("{m}/{d}/{:02}", y % 100),
            2 => format!("{y}-{m:02}-{d:02}"),
            3 => format!("{month} {d}, {y}"),
            4 => format!("{} {d}", &month[..3]),
            5 => format!("{d} {month} {y}"),
            6 => format!("{m}/{d}"),
            7 => format!("{month} {d}{}", ordinal_suffix(d)),
            8 => format!("{month} {y}"),
            _ => format!("{m}-{d}-{y}"),
        };
        self.label("DATE", &text)
    }

    fn phone(&mut self, kind: &str) -> String {
        let (a, b, c) = if kind == "PHONE" && self.rng.chance(50) {
            (self.phone[..3].to_owned(), self.phone[3..6].to_owned(), self.phone[6..].to_owned())
        } else {
            (format!("{}", 201 + self.rng.below(700)), self.rng.digits(3), self.rng.digits(4))
        };
        let text = match self.rng.below(6) {
            0 => format!("({a}) {b}-{c}"),
            1 => format!("{a}-{b}-{c}"),
            2 => format!("{a}.{b}.{c}"),
            3 => format!("{a}{b}{c}"),
            4 => format!("+1 {a} {b} {c}"),
            _ => format!("{a} {b} {c}"),
        };
        self.label(kind, &text)
    }

    fn address(&mut self) -> String {
        let unit = if self.rng.chance(30) {
            format!(" Apt {}{}", 1 + self.rng.below(30), self.rng.pick(&["", "B", "C"]))
        } else {
            String::new()
        };
        let street = format!("{}{unit}", self.street);
        let (city, state) = self.city;
        format!(
            "{}, {}, {state} {}",
            self.label("STREET", &street),
            self.label("CITY", city),
            self.label("ZIP", &self.zip.clone())
        )
    }

    fn org(&mut self, pool: &'static [&'static str]) -> String {
        let value = *self.rng.pick(pool);
        self.label("ORGANIZATION", value)
    }

    fn score(&mut self) -> String {
        let (name, max) = *self.rng.pick(INSTRUMENTS);
        let value = self.rng.below(max as usize + 1);
        format!("{} score {}", self.clinical(name), self.clinical(&value.to_string()))
    }

    fn med(&mut self) -> String {
        let med = *self.rng.pick(MEDS);
        let dose = *self.rng.pick(DOSES);
        format!("{} {dose}", self.clinical(med))
    }

    fn dx(&mut self) -> String {
        let (code, text) = *self.rng.pick(DIAGNOSES);
        format!("{} {text}", self.clinical(code))
    }

    fn modality(&mut self) -> String {
        let m = *self.rng.pick(MODALITIES);
        self.clinical(m)
    }

    /// Fills `{slot}`s in a template.
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&self.case(&rest[..open]));
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            let slot = &rest[open + 1..close];
            let value = self.slot(slot);
            out.push_str(&value);
            rest = &rest[(close + 1).min(rest.len())..];
        }
        out.push_str(&self.case(rest));
        out
    }

    fn slot(&mut self, slot: &str) -> String {
        match slot {
            "C" => self.client_ref(),
            "Cfull" => {
                let full = format!("{} {}", self.client.given, self.client.family);
                self.name(&full)
            }
            "they" => self.pronoun().to_owned(),
            "their" => self.possessive().to_owned(),
            "O" => self.other(),
            "On" => {
                let full = format!("{} {}", self.rng.pick(GIVEN), self.rng.pick(FAMILY));
                self.name(&full)
            }
            "Contact" => {
                let full = format!("{} {}", self.contact.0.given, self.contact.0.family);
                format!("{} {}", self.contact.1, self.name(&full))
            }
            "clin" => self.clinician_ref(),
            "date" => self.date(),
            "dob" => {
                let (y, m, d) = self.dob;
                self.format_date(y, m, d)
            }
            "month" => {
                let m = *self.rng.pick(MONTHS);
                self.label("DATE", m)
            }
            "phone" => self.phone("PHONE"),
            "fax" => self.phone("FAX"),
            "email" => {
                let email = if self.rng.chance(60) {
                    self.email.clone()
                } else {
                    format!(
                        "{}{}@{}",
                        ascii(&self.rng.pick(GIVEN).to_lowercase()),
                        self.rng.digits(2),
                        self.rng.pick(DOMAINS)
                    )
                };
                self.label("EMAIL", &email)
            }
            "ssn" => self.label("SSN", &self.ssn.clone()),
            "mrn" => self.label("MRN", &self.mrn.clone()),
            "member" => self.label("HEALTH_PLAN_ID", &self.member.clone()),
            "acct" => {
                let len = 6 + self.rng.below(4);
                let v = self.rng.digits(len);
                self.label("ACCOUNT", &v)
            }
            "license" => {
                let v = format!("{}{}", (b'A' + self.rng.below(26) as u8) as char, self.rng.digits(7));
                self.label("LICENSE", &v)
            }
            "plate" => {
                let v = format!(
                    "{}{}{}",
                    self.rng.digits(1),
                    ["ABC", "KXT", "RMZ", "JLP"][self.rng.below(4)],
                    self.rng.digits(3)
                );
                self.label("VEHICLE", &v)
            }
            "device" => {
                let v = format!("{}-{}", ["PM", "SN", "ICD"][self.rng.below(3)], self.rng.digits(7));
                self.label("DEVICE", &v)
            }
            "url" => {
                let v = format!(
                    "https://www.{}.com/{}",
                    ["facebook", "instagram", "myblog", "gofundme"][self.rng.below(4)],
                    ascii(&self.client.given.to_lowercase())
                );
                self.label("URL", &v)
            }
            "ip" => {
                let v = format!(
                    "{}.{}.{}.{}",
                    11 + self.rng.below(200),
                    self.rng.below(256),
                    self.rng.below(256),
                    1 + self.rng.below(254)
                );
                self.label("IP", &v)
            }
            "handle" => {
                let v = format!("@{}_{}", ascii(&self.client.given.to_lowercase()), self.rng.digits(2));
                self.label("SOCIAL_HANDLE", &v)
            }
            "address" => self.address(),
            "street" => self.label("STREET", &self.street.clone()),
            "city" => self.label("CITY", self.city.0),
            "cityst" => format!("{}, {}", self.label("CITY", self.city.0), self.city.1),
            "zip" => self.label("ZIP", &self.zip.clone()),
            "employer" => {
                let e = if self.rng.chance(60) { self.employer } else { *self.rng.pick(EMPLOYERS) };
                self.label("ORGANIZATION", e)
            }
            "school" => {
                let s = if self.rng.chance(60) { self.school } else { *self.rng.pick(SCHOOLS) };
                self.label("ORGANIZATION", s)
            }
            "church" => self.org(CHURCHES),
            "facility" => self.org(FACILITIES),
            "age90" => {
                let age = (90 + self.rng.below(15)).to_string();
                let unit = *self.rng.pick(&["-year-old", " years old", " y/o", " yo"]);
                format!("{}{unit}", self.label("AGE_OVER_89", &age))
            }
            "age" => (18 + self.rng.below(60)).to_string(),
            "med" => self.med(),
            "dx" => self.dx(),
            "cpt" => {
                let c = *self.rng.pick(SERVICE_CODES);
                self.clinical(c)
            }
            "score" => self.score(),
            "modality" => self.modality(),
            "year" => (2001 + self.rng.below(24)).to_string(),
            "weekday" => (*self.rng.pick(WEEKDAYS)).to_owned(),
            "state" => (*self.rng.pick(STATE_NAMES)).to_owned(),
            "rating" => format!("{}/10", self.rng.below(11)),
            other => panic!("unknown slot {other}"),
        }
    }

    /// `n` sentences chosen from `pool`, without repeats.
    fn sentences(&mut self, pool: &[&str], n: usize) -> String {
        let mut order: Vec<usize> = (0..pool.len()).collect();
        for i in (1..order.len()).rev() {
            let j = self.rng.below(i + 1);
            order.swap(i, j);
        }
        order.iter().take(n).map(|&i| self.fill(pool[i])).collect::<Vec<_>>().join(" ")
    }
}

fn ascii(s: &str) -> String {
    crate::text::fold(s).replace(' ', "")
}

/// A family name with two letters swapped: a typo a tired clinician makes.
fn swap_letters(s: &str, r: usize) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() >= 5 {
        let i = 1 + r % (chars.len() - 3);
        if chars[i].is_alphabetic() && chars[i + 1].is_alphabetic() {
            chars.swap(i, i + 1);
        }
    }
    chars.into_iter().collect()
}

const SUBJECTIVE: &[&str] = &[
    "{C} reports increased conflict with {O} since {date}.",
    "{C} stated that {O} \"keeps texting\" and {they} feels unsafe.",
    "{C} shared that {their} {O} moved out over the {weekday}.",
    "{C} described a panic attack at {employer} on {date}; rated anxiety {rating}.",
    "{C} says sleep is poor (4-5 hrs) and appetite is down since {month}.",
    "Per {C}, {O} has been supportive and drove {they} to group on {weekday}.",
    "{C} continues to work at {employer} and reports a write-up from {O}.",
    "{C} reports {their} daughter {On} started at {school} this fall.",
    "{C} denies SI/HI. Reports passive thoughts after the call from {O}.",
    "{C} noted a relapse on {date} after seeing {O} at {church}.",
    "{C} was discharged from {facility} on {date} and is taking {med}.",
    "{C} moved to {cityst} in {year} and now lives with {O}.",
    "{C} attends {school} and says {O} bullied {they} in the cafeteria.",
    "{C}'s {O} called the office from {phone} to check on scheduling.",
    "{C} reports that {O} (\"{On}\") was arrested in {state} last {weekday}.",
];
const OBJECTIVE: &[&str] = &[
    "{score}; {score}. Affect constricted, mood \"tired\".",
    "Client appeared on time, casually dressed, speech normal rate. {score}.",
    "Telehealth session via Zoom; client located at home in {state}. {score}.",
    "Oriented x4, thought process linear, no psychosis observed. Current meds: {med}; {med}.",
];
const ASSESSMENT: &[&str] = &[
    "Symptoms consistent with {dx}; progress toward goal 2 is partial.",
    "{C} remains at moderate risk; protective factors include {O} and {their} faith community at {church}.",
    "Dx: {dx}. Secondary: {dx}. Responding to {modality}.",
    "Risk assessment completed with the C-SSRS screener; low acute risk.",
];
const PLAN: &[&str] = &[
    "Continue {modality} weekly on {weekday}s; next session {date}.",
    "Coordinate with {clin} re: {med}; release signed for {On} at {facility}.",
    "Safety plan reviewed; crisis line 988 and {O} listed as supports.",
    "Follow up with PCP; refer to group at {facility} (fax {fax}).",
    "Homework: thought record and behavioral activation log. Return in 2 weeks.",
];

fn signature(w: &mut Writer) -> String {
    let clin = w.clinician_ref();
    let date = w.date();
    format!("\nElectronically signed by {clin} on {date}.")
}

fn soap(w: &mut Writer) -> String {
    let head = w.fill("PROGRESS NOTE — {Cfull} — DOB {dob} — MRN {mrn}\nDate of service: {date}  CPT {cpt}\n");
    let s = w.sentences(SUBJECTIVE, 3);
    let o = w.sentences(OBJECTIVE, 1);
    let a = w.sentences(ASSESSMENT, 2);
    let p = w.sentences(PLAN, 2);
    format!("{head}S: {s}\nO: {o}\nA: {a}\nP: {p}{}", signature(w))
}

fn dap(w: &mut Writer) -> String {
    let head = w.fill("Client: {C}    Session date: {date}\n");
    let d = w.sentences(SUBJECTIVE, 3);
    let o = w.sentences(OBJECTIVE, 1);
    let a = w.sentences(ASSESSMENT, 1);
    let p = w.sentences(PLAN, 2);
    format!("{head}Data: {d} {o}\nAssessment: {a}\nPlan: {p}{}", signature(w))
}

fn birp(w: &mut Writer) -> String {
    let head = w.fill("BIRP note for {Cfull} ({mrn}), seen {date} by {clin}\n");
    let b = w.sentences(SUBJECTIVE, 2);
    let i = w.fill("Therapist used {modality} and {modality} to address avoidance; reviewed {score}.");
    let r = w.sentences(
        &[
            "{C} engaged well and identified {O} as a trigger.",
            "{C} was tearful when discussing {O}.",
            "{C} agreed to call {O} before using.",
        ],
        1,
    );
    let p = w.sentences(PLAN, 2);
    format!("{head}Behavior: {b}\nIntervention: {i}\nResponse: {r}\nPlan: {p}")
}

fn intake(w: &mut Writer) -> String {
    let head = w.fill(
        "INTAKE ASSESSMENT\nName: {Cfull}\nDOB: {dob}\nAddress: {address}\nPhone: {phone}\nEmail: {email}\nSSN: {ssn}\nInsurance member ID: {member}\nEmergency contact: {Contact}, {phone}\nReferred by: {clin}\n",
    );
    let history = w.sentences(
        &[
            "{C} is a {age}-year-old who grew up in {city} and was raised by {O}.",
            "Trauma history includes a car accident on {date} and abuse by {O}.",
            "{C} works as a cashier at {employer}; supervisor {On} is aware of the FMLA request.",
            "Prior treatment at {facility} in {year} ({modality}); tried {med} with side effects.",
            "{C}'s grandmother, a {age90} widow, lives with the family.",
            "Substance use: AUDIT-C {rating}; drinks on {weekday}s with {O}.",
            "Driver's license {license} was suspended after a DUI in {year}; car plate {plate} impounded.",
            "{C} has an implanted device (serial {device}) and sees cardiology.",
            "{C} posts about recovery at {url} and as {handle}.",
        ],
        5,
    );
    let dx = w.fill("Diagnostic impression: {dx}; rule out {dx}.");
    format!("{head}\nHistory: {history}\n{dx}{}", signature(w))
}

fn treatment_plan(w: &mut Writer) -> String {
    let head = w.fill("TREATMENT PLAN — {Cfull} — MRN {mrn}\nPlan date: {date}   Review by: {date}\nDiagnosis: {dx}\n");
    let goals = w.sentences(
        &[
            "Goal 1: {C} will reduce PHQ-9 from 18 to below 10 by {date}. Objective: practice {modality} skills 3x/week.",
            "Goal 2: Improve communication with {O}; attend 4 family sessions (CPT {cpt}).",
            "Goal 3: Maintain employment at {employer}; meet with supervisor {On} monthly.",
            "Goal 4: Return to classes at {school} by {month}.",
            "Intervention: {modality} with {clin}, 53 minutes weekly; medication management ({med}) by {clin}.",
        ],
        3,
    );
    let sign = w.fill("\nClient signature: {Cfull}   Date: {date}");
    format!("{head}{goals}{sign}")
}

fn portal_message(w: &mut Writer) -> String {
    w.lower = w.rng.chance(70);
    let body = w.sentences(
        &[
            "hi {clin}, its {C}.",
            "i cant make it {weekday}, my {O} took the car again.",
            "can u call me at {phone} after 5?",
            "{O} said i should ask about upping the {med}.",
            "i had a really bad night, fought with {O} and didnt sleep.",
            "my new email is {email} btw.",
            "we moved to {street} so pls update my address.",
            "also my insurance changed, new member id is {member}.",
            "thx. {C}",
            "is it ok if {O} comes to session on {date}?",
            "work at {employer} is killing me, {O} keeps giving me doubles.",
        ],
        4,
    );
    w.lower = false;
    typos(w, body)
}

/// Drops or doubles a letter here and there outside labels, as hurried typing does.
fn typos(w: &mut Writer, text: String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '[' && chars.get(i + 1) == Some(&'[') {
            depth += 1;
        }
        if c == ']' && i > 0 && chars[i - 1] == ']' {
            depth -= 1;
        }
        if depth == 0 && c.is_ascii_lowercase() && w.rng.chance(2) {
            if w.rng.chance(50) {
                out.push(c);
                out.push(c);
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn referral(w: &mut Writer) -> String {
    w.fill(
        "{date}\n\nDear Dr. {On},\n\nI am referring {Cfull} (DOB {dob}) for psychiatric evaluation. {C} has been in {modality} with me since {month} {year} for {dx}. Current medications: {med}. {C} can be reached at {phone} or {email}; {their} address is {address}.\n\nPlease fax records to {fax}.\n\nSincerely,\n{clin}\n{facility}",
    )
}

fn transcript(w: &mut Writer) -> String {
    let lines = w.sentences(
        &[
            "THERAPIST: How was the week?\nCLIENT: Rough. {O} showed up at my place on {street} again.",
            "THERAPIST: What happened after that?\nCLIENT: I called {O}, she was at {church} so she didn't pick up.",
            "CLIENT: My boss {On} at {employer} wrote me up.\nTHERAPIST: That sounds stressful.",
            "CLIENT: I'm thinking of moving to {city} to be near {O}.\nTHERAPIST: What draws you there?",
            "CLIENT: My kid's teacher, {On}, called about {school}.\nTHERAPIST: Let's use the {modality} skills.",
            "THERAPIST: Your {score} is down from last time.\nCLIENT: Yeah, the {med} is helping.",
            "CLIENT: Grandpa turned {age90} on {date}.\nTHERAPIST: How did that feel?",
        ],
        4,
    );
    let head = w.fill("Session transcript, {date}, {clin} with {C}\n");
    format!("{head}{lines}")
}

fn billing(w: &mut Writer) -> String {
    w.fill(
        "Billing note: {Cfull}, DOB {dob}, member {member}, account {acct}. DOS {date}, CPT {cpt} x1, Dx {dx}. Claim denied by payer; resubmitted {date}. Called payer at {phone} (ref {acct}). Statement mailed to {address}. Provider {clin}.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_well_formed() {
        let a: Vec<_> = generate(7, 30).map(|g| g.marked.text).collect();
        let b: Vec<_> = generate(7, 30).map(|g| g.marked.text).collect();
        assert_eq!(a, b);
        for g in generate(7, 90) {
            assert!(!g.marked.gold.is_empty(), "{}", g.id);
            for span in &g.marked.gold {
                assert!(g.marked.text.is_char_boundary(span.start) && g.marked.text.is_char_boundary(span.end));
            }
        }
    }
}
