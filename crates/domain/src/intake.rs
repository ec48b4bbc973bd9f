//! Intake packets (CR-8, SC-8): the kinds of form a practice sends before care starts, the
//! form a practice writes one with, and the signature a client gives it in the portal.
//!
//! A signature records the typed name, a drawn mark or a clicked one, the time, the address it
//! came from and the SHA-256 of the exact text signed ([`signed_text`]): what an e-signature
//! must carry to show later who agreed to what.

use serde::{Deserialize, Serialize};

use crate::client::ClientForm;
use crate::document::DocumentKind;
use crate::part2::{Consent, ConsentForm};
use crate::validation::{FieldErrors, required_lines, required_text};

pub const TITLE_MAX: usize = 200;
/// A privacy notice runs to a few pages; a book does not belong in a form.
pub const BODY_MAX: usize = 60_000;
pub const NAME_MAX: usize = 200;
/// A drawn mark is a signature, not a picture.
pub const MAX_STROKES: usize = 60;
pub const MAX_POINTS: usize = 3_000;

/// What a form is for; it decides the kind of document its signed copy is filed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    ConsentToTreatment,
    PrivacyNotice,
    TelehealthConsent,
    FinancialPolicy,
    ReleaseOfInformation,
    AiConsent,
    /// The client's contact details, confirmed or corrected; staff apply them on review.
    ContactDetails,
    /// A 42 CFR Part 2 consent to disclose: the client names the recipient, the purpose, the
    /// parts of the record and the end day; on review it becomes a consent in the chart.
    Part2Consent,
    Other,
}

stored_names!(FormKind {
    ConsentToTreatment => "consent_to_treatment", "Consent to treatment";
    PrivacyNotice => "privacy_notice", "Notice of privacy practices acknowledgement";
    TelehealthConsent => "telehealth_consent", "Telehealth consent";
    FinancialPolicy => "financial_policy", "Financial policy";
    ReleaseOfInformation => "release_of_information", "Release of information";
    AiConsent => "ai_consent", "Consent to AI assistance";
    ContactDetails => "contact_details", "Contact details (the client confirms or corrects them)";
    Part2Consent => "part2_consent", "42 CFR Part 2 consent to disclose (the client names recipient, purpose, parts, end)";
    Other => "other", "Other signed form";
});

impl FormKind {
    pub fn document_kind(self) -> DocumentKind {
        match self {
            FormKind::ConsentToTreatment => DocumentKind::ConsentToTreatment,
            FormKind::PrivacyNotice => DocumentKind::PrivacyNoticeAcknowledgement,
            FormKind::ReleaseOfInformation | FormKind::Part2Consent => DocumentKind::ReleaseOfInformation,
            FormKind::TelehealthConsent
            | FormKind::FinancialPolicy
            | FormKind::AiConsent
            | FormKind::ContactDetails
            | FormKind::Other => DocumentKind::SignedForm,
        }
    }
}

/// The text a signature's hash covers: the title, an empty line, the body, exactly as shown;
/// for a Part 2 consent, then an empty line and the terms the client filled in.
pub fn signed_text(title: &str, body: &str, answers: Option<&FormAnswers>) -> String {
    match answers {
        Some(FormAnswers::Part2(consent)) => format!("{title}\n\n{body}\n\n{}", part2_terms(consent)),
        _ => format!("{title}\n\n{body}"),
    }
}

/// A Part 2 consent's terms, one per line, as signed and as the copy prints them.
pub fn part2_terms(consent: &Consent) -> String {
    FormAnswers::Part2(consent.clone())
        .labelled()
        .iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a client gives on a form besides their signature, sealed with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FormAnswers {
    /// A Part 2 consent's terms (its signer and day are the signature's).
    Part2(Consent),
    /// Contact details to apply on review.
    Contact(ContactAnswers),
}

impl FormAnswers {
    /// (label, value) of each answer, in the form's order.
    pub fn labelled(&self) -> Vec<(&'static str, String)> {
        match self {
            FormAnswers::Contact(answers) => answers.labelled().into_iter().map(|(l, v)| (l, v.to_owned())).collect(),
            FormAnswers::Part2(c) => vec![
                ("Recipient", c.recipient.clone()),
                ("Purpose", c.purpose.clone()),
                ("Parts of the record", c.parts.iter().map(|p| p.label()).collect::<Vec<_>>().join("; ")),
                ("This consent ends on", c.expires_on.to_string()),
            ],
        }
    }
}

/// A Part 2 consent's terms as the client typed them on the signing page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Part2Typed {
    pub recipient: String,
    pub purpose: String,
    pub parts: Vec<String>,
    pub expires_on: String,
}

impl Part2Typed {
    /// The terms from a posted form's fields (`parts` once per ticked box; others ignored).
    pub fn from_fields(fields: &[(String, String)]) -> Part2Typed {
        let mut typed = Part2Typed::default();
        for (name, value) in fields {
            match name.as_str() {
                "recipient" => typed.recipient = value.trim().to_owned(),
                "purpose" => typed.purpose = value.trim().to_owned(),
                "parts" => typed.parts.push(value.trim().to_owned()),
                "expires_on" => typed.expires_on = value.trim().to_owned(),
                _ => {}
            }
        }
        typed
    }

    /// The consent these terms make, signed by `signed_by` today, checked as the chart checks
    /// a consent recorded by staff (42 CFR 2.31).
    pub fn validate(&self, signed_by: &str, today: jiff::civil::Date, errors: &mut FieldErrors) -> Option<Consent> {
        let form = ConsentForm {
            recipient: self.recipient.clone(),
            purpose: self.purpose.clone(),
            parts: self.parts.clone(),
            expires_on: self.expires_on.clone(),
            signed_by: signed_by.to_owned(),
            signed_on: today.to_string(),
        };
        let mut checked = FieldErrors::default();
        let consent = form.validate(today, &mut checked);
        // The signer's name is the signature's own field.
        for e in checked.iter().filter(|e| e.field != "signed_by" && e.field != "signed_on") {
            errors.add(e.field, e.message.clone());
        }
        consent
    }
}

/// A form as the practice writes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FormForm {
    pub kind: String,
    pub title: String,
    pub body: String,
}

impl FormForm {
    pub fn validate(&self) -> Result<(FormKind, String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind =
            errors.check("kind", self.kind.parse::<FormKind>().map_err(|_| "choose what the form is for".into()));
        let title = errors.check("title", required_text(&self.title, TITLE_MAX));
        let body = errors.check("body", required_lines(&self.body, BODY_MAX));
        errors.into_result(|| Some((kind?, title?, body?)))
    }
}

/// How the client marked the form: by drawing (strokes of points, 0–1 across and down the
/// pad) or by ticking the box that says the typed name is their signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Drawn(Vec<Vec<(f32, f32)>>),
    Clicked,
}

/// What the client sends from the signing page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignatureForm {
    #[serde(default)]
    pub typed_name: String,
    /// Strokes as the pad writes them: `x,y x,y;x,y …` (empty when nothing was drawn).
    #[serde(default)]
    pub strokes: String,
    /// The box "I agree that my typed name is my signature".
    #[serde(default)]
    pub agree: Option<String>,
}

impl SignatureForm {
    /// The typed name and the mark. Agreement is always required; a drawing is optional.
    pub fn validate(&self) -> Result<(String, Mark), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("typed_name", required_text(&self.typed_name, NAME_MAX));
        if self.agree.is_none() {
            errors.add("agree", "tick the box to sign");
        }
        let mark = errors.check("strokes", parse_strokes(&self.strokes));
        errors.into_result(|| {
            let mark = match mark? {
                strokes if strokes.is_empty() => Mark::Clicked,
                strokes => Mark::Drawn(strokes),
            };
            Some((name?, mark))
        })
    }
}

fn parse_strokes(text: &str) -> Result<Vec<Vec<(f32, f32)>>, String> {
    let broken = || "the drawing could not be read; clear it and draw again".to_owned();
    let mut points = 0;
    let strokes: Vec<Vec<(f32, f32)>> = text
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|stroke| {
            stroke
                .split_whitespace()
                .map(|point| {
                    points += 1;
                    let (x, y) = point.split_once(',').ok_or_else(broken)?;
                    let coordinate = |v: &str| match v.parse::<f32>() {
                        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
                        _ => Err(broken()),
                    };
                    Ok((coordinate(x)?, coordinate(y)?))
                })
                .collect()
        })
        .collect::<Result<_, String>>()?;
    if strokes.len() > MAX_STROKES || points > MAX_POINTS {
        return Err("the drawing is too detailed; clear it and sign more simply".into());
    }
    Ok(strokes)
}

/// The contact details a client gives on a "contact details" form: the fields of the chart's
/// client form they may correct themselves. Staff apply them to the chart on review, through
/// the chart's own checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactAnswers {
    pub preferred_name: String,
    pub pronouns: String,
    pub phone: String,
    pub email: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub emergency_name: String,
    pub emergency_relationship: String,
    pub emergency_phone: String,
}

impl ContactAnswers {
    /// (field, label) of each, in the order the form shows them.
    pub const FIELDS: [(&'static str, &'static str); 12] = [
        ("preferred_name", "Name you go by"),
        ("pronouns", "Pronouns"),
        ("phone", "Phone"),
        ("email", "E-mail"),
        ("address_line1", "Address"),
        ("address_line2", "Address, second line"),
        ("city", "City"),
        ("state", "State"),
        ("postal_code", "ZIP code"),
        ("emergency_name", "Emergency contact"),
        ("emergency_relationship", "Their relationship to you"),
        ("emergency_phone", "Their phone"),
    ];

    /// The details on the chart now, to start from.
    pub fn from_form(f: &ClientForm) -> ContactAnswers {
        ContactAnswers {
            preferred_name: f.preferred_name.clone(),
            pronouns: f.pronouns.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            address_line1: f.address_line1.clone(),
            address_line2: f.address_line2.clone(),
            city: f.city.clone(),
            state: f.state.clone(),
            postal_code: f.postal_code.clone(),
            emergency_name: f.emergency_name.clone(),
            emergency_relationship: f.emergency_relationship.clone(),
            emergency_phone: f.emergency_phone.clone(),
        }
    }

    /// The chart's form with these answers in place of its contact fields.
    pub fn applied_to(&self, f: ClientForm) -> ClientForm {
        let a = self.clone();
        ClientForm {
            preferred_name: a.preferred_name,
            pronouns: a.pronouns,
            phone: a.phone,
            email: a.email,
            address_line1: a.address_line1,
            address_line2: a.address_line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            emergency_name: a.emergency_name,
            emergency_relationship: a.emergency_relationship,
            emergency_phone: a.emergency_phone,
            ..f
        }
    }

    /// The answers from a posted form's fields (others are ignored).
    pub fn from_fields(fields: &[(String, String)]) -> ContactAnswers {
        let mut answers = ContactAnswers::default();
        for (name, value) in fields {
            if let Some(to) = answers.field_mut(name) {
                *to = value.trim().to_owned();
            }
        }
        answers
    }

    /// (label, value) of each field, in the form's order.
    pub fn labelled(&self) -> Vec<(&'static str, &str)> {
        Self::FIELDS.iter().zip(self.values()).map(|((_, label), value)| (*label, value)).collect()
    }

    fn values(&self) -> [&str; 12] {
        [
            &self.preferred_name,
            &self.pronouns,
            &self.phone,
            &self.email,
            &self.address_line1,
            &self.address_line2,
            &self.city,
            &self.state,
            &self.postal_code,
            &self.emergency_name,
            &self.emergency_relationship,
            &self.emergency_phone,
        ]
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "preferred_name" => &mut self.preferred_name,
            "pronouns" => &mut self.pronouns,
            "phone" => &mut self.phone,
            "email" => &mut self.email,
            "address_line1" => &mut self.address_line1,
            "address_line2" => &mut self.address_line2,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "postal_code" => &mut self.postal_code,
            "emergency_name" => &mut self.emergency_name,
            "emergency_relationship" => &mut self.emergency_relationship,
            "emergency_phone" => &mut self.emergency_phone,
            _ => return None,
        })
    }
}

/// A signature as sealed on the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureRecord {
    pub typed_name: String,
    pub mark: Mark,
    /// Who signed: "client" or "guardian" (the portal account's holder).
    pub holder: String,
    pub signed_at: jiff::Timestamp,
    pub ip: String,
    pub text_sha256: String,
}

/// Forms a practice may start from (the demo practice uses them). They are examples to be
/// reviewed by the practice's own counsel, not legal advice.
pub const SAMPLE_FORMS: [(FormKind, &str, &str); 6] = [
    (
        FormKind::ConsentToTreatment,
        "Consent to treatment",
        "I agree to receive outpatient mental-health services from the clinicians of this practice.\n\n\
         I understand that therapy has benefits and risks, that I may stop at any time, and that my \
         clinician will discuss the plan of treatment with me.\n\n\
         What I say in sessions is confidential, except where the law requires disclosure: a serious \
         risk of harm to myself or others, suspected abuse or neglect of a child or vulnerable adult, \
         or a court order.",
    ),
    (
        FormKind::PrivacyNotice,
        "Acknowledgement of the notice of privacy practices",
        "I have been offered this practice's notice of privacy practices, which describes how my \
         health information may be used and disclosed and how I can get access to it.",
    ),
    (
        FormKind::TelehealthConsent,
        "Telehealth consent",
        "I agree to receive some sessions by secure video. I will join from a private place, and I \
         understand that my clinician may end a video session and arrange another way to meet if \
         the connection or privacy fails. In an emergency I will call 911 or 988.",
    ),
    (
        FormKind::ContactDetails,
        "Your contact details",
        "Please check how we reach you and whom to call in an emergency, and correct anything that \
         has changed. Your care team reviews the changes before they go into your record.",
    ),
    (
        FormKind::AiConsent,
        "Consent to AI assistance",
        "My clinician may use AI assistance to draft notes and summaries. Nothing that identifies me \
         is sent to an AI model: names, dates, places and numbers are replaced before anything \
         leaves the practice, and my clinician reviews and signs every draft. Psychotherapy notes and \
         substance-use treatment records are never included. I may withdraw this consent at any time.",
    ),
    (
        FormKind::Part2Consent,
        "Consent to disclose substance use disorder records (42 CFR Part 2)",
        "I consent to this practice disclosing the parts of my substance use disorder treatment \
         records named below to the recipient named below, for the purpose named below. These \
         records are protected by federal confidentiality rules (42 CFR part 2).\n\n\
         I understand that I may revoke this consent at any time, in writing or by telling my care \
         team, except where the practice has already acted on it, and that it ends on the day named \
         below unless I revoke it sooner. My treatment does not depend on whether I sign it.\n\n\
         42 CFR part 2 prohibits unauthorized use or disclosure of these records.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(name: &str, strokes: &str, agree: bool) -> SignatureForm {
        SignatureForm { typed_name: name.into(), strokes: strokes.into(), agree: agree.then(|| "on".into()) }
    }

    #[test]
    fn a_signature_needs_a_name_and_agreement_and_may_carry_a_drawing() {
        assert_eq!(signature(" Ana Díaz ", "", true).validate().map(|s| s.1), Ok(Mark::Clicked));
        let drawn = signature("Ana Díaz", "0.1,0.2 0.3,0.4;0.5,0.5", true).validate().map(|s| s.1);
        assert_eq!(drawn, Ok(Mark::Drawn(vec![vec![(0.1, 0.2), (0.3, 0.4)], vec![(0.5, 0.5)]])));
        let fields = |form: SignatureForm| form.validate().err().map(|e| e.iter().map(|e| e.field).collect::<Vec<_>>());
        assert_eq!(fields(signature("", "", true)), Some(vec!["typed_name"]));
        assert_eq!(fields(signature("Ana", "", false)), Some(vec!["agree"]));
        for broken in ["0.1", "1.5,0.2", "a,b", "0.1,NaN"] {
            assert_eq!(fields(signature("Ana", broken, true)), Some(vec!["strokes"]), "{broken}");
        }
        let scribble = vec!["0.5,0.5"; MAX_POINTS + 1].join(" ");
        assert_eq!(fields(signature("Ana", &scribble, true)), Some(vec!["strokes"]));
    }

    #[test]
    fn contact_answers_replace_only_the_contact_fields() {
        let form = ClientForm { given_name: "Ana".into(), phone: "(541) 555-0100".into(), ..ClientForm::default() };
        let mut answers = ContactAnswers::from_form(&form);
        assert_eq!(answers.phone, "(541) 555-0100");
        let posted = [("phone".to_owned(), " (541) 555-0199 ".to_owned()), ("given_name".to_owned(), "Eve".to_owned())];
        answers = ContactAnswers { phone: ContactAnswers::from_fields(&posted).phone, ..answers };
        let applied = answers.applied_to(form);
        assert_eq!((applied.given_name.as_str(), applied.phone.as_str()), ("Ana", "(541) 555-0199"));
        assert_eq!(answers.labelled()[2], ("Phone", "(541) 555-0199"));
    }

    #[test]
    fn forms_need_a_kind_a_title_and_text() {
        let form = FormForm { kind: "telehealth_consent".into(), title: " Video ".into(), body: "I agree.\r\n".into() };
        assert_eq!(form.validate().ok(), Some((FormKind::TelehealthConsent, "Video".into(), "I agree.".into())));
        let empty = FormForm { kind: "nonsense".into(), ..FormForm::default() };
        let fields: Vec<_> = empty.validate().err().map(|e| e.iter().map(|e| e.field).collect()).unwrap_or_default();
        assert_eq!(fields, ["kind", "title", "body"]);
        assert_eq!(signed_text("T", "B", None), "T\n\nB");
        assert!(SAMPLE_FORMS.iter().all(|(_, title, body)| {
            FormForm { kind: "other".into(), title: (*title).into(), body: (*body).into() }.validate().is_ok()
        }));
    }

    #[test]
    fn a_part2_consent_is_checked_as_the_chart_checks_one_and_its_terms_are_signed() {
        let today = jiff::civil::date(2026, 12, 6);
        let posted = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        let mut errors = FieldErrors::default();
        let empty = Part2Typed::from_fields(&posted(&[("recipient", " "), ("expires_on", "2026-12-01")]));
        assert!(empty.validate("Ana Ruiz", today, &mut errors).is_none());
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["recipient", "purpose", "parts", "expires_on"]);

        let typed = Part2Typed::from_fields(&posted(&[
            ("recipient", "Dr. Lee, Riverside Primary Care"),
            ("purpose", "Coordinating my care"),
            ("parts", "diagnoses"),
            ("parts", "treatment_plan"),
            ("expires_on", "2027-06-30"),
        ]));
        let mut errors = FieldErrors::default();
        let consent = typed.validate("Ana Ruiz", today, &mut errors).unwrap_or_else(|| panic!("{errors:?}"));
        assert_eq!((consent.signed_by.as_str(), consent.signed_on), ("Ana Ruiz", today));
        let answers = FormAnswers::Part2(consent);
        let text = signed_text("Consent", "Body", Some(&answers));
        assert!(text.starts_with("Consent\n\nBody\n\nRecipient: Dr. Lee, Riverside Primary Care\n"), "{text}");
        assert!(
            text.ends_with("Parts of the record: Diagnoses; Treatment plan\nThis consent ends on: 2027-06-30"),
            "{text}"
        );

        // Sealed answers read back as what they were: a consent, or (as stored before) contact details.
        let json = serde_json::to_string(&answers).unwrap_or_default();
        assert_eq!(serde_json::from_str::<FormAnswers>(&json).ok(), Some(answers));
        let contact = ContactAnswers { phone: "(503) 555-0101".into(), ..ContactAnswers::default() };
        let old = serde_json::to_string(&contact).unwrap_or_default();
        assert_eq!(serde_json::from_str::<FormAnswers>(&old).ok(), Some(FormAnswers::Contact(contact)));
    }
}
