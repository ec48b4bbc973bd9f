//! Appointment types (SC-1): what a practice books — name, length, the service it bills, where
//! it takes place, its colour on the calendar, and who attends.

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::validation::{FieldErrors, required_text, whole_number};

/// Sessions are 5 minutes to 8 hours long (the longest a calendar block may be).
pub const MINUTES: std::ops::RangeInclusive<u32> = 5..=480;
/// Most clients one group session may hold.
pub const MAX_GROUP: u32 = 30;

/// A validated appointment type, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentTypeSpec {
    pub name: String,
    pub minutes: u32,
    /// The CPT or HCPCS code billed by default; required when billable.
    pub service_code: Option<ServiceCode>,
    pub place_of_service: PlaceOfService,
    pub color: Color,
    pub billable: bool,
    pub attendance: Attendance,
    /// 1 for individual sessions; the most clients a couple, family or group session holds.
    pub max_clients: u32,
    /// Whether clients book it themselves in the portal, and how.
    pub portal_booking: PortalBooking,
}

/// How clients book a type in the portal (SC-2): not at all, at once into a free slot, or by
/// asking the care team for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortalBooking {
    Off,
    Instant,
    Request,
}

stored_names!(PortalBooking {
    Off => "off", "Not in the portal";
    Instant => "instant", "Clients book a free slot at once";
    Request => "request", "Clients ask for a slot; the care team books it";
});

/// A procedure code: CPT category I (five digits), II (four digits and F), III (four digits
/// and T), or HCPCS level II (a letter and four digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCode(String);

impl ServiceCode {
    pub fn parse(value: &str) -> Result<Self, String> {
        let v = value.trim().to_ascii_uppercase();
        let b = v.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let ok = b.len() == 5
            && ((digits(0..4) && (b[4].is_ascii_digit() || b[4] == b'F' || b[4] == b'T'))
                || ((b'A'..=b'V').contains(&b[0]) && digits(1..5)));
        if ok { Ok(Self(v)) } else { Err("must be a CPT or HCPCS code such as 90834 or H0004".into()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ServiceCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// The CMS place-of-service codes where behavioral health services are delivered (the codes
/// for pharmacies, ambulances, laboratories and the like are left out on purpose).
const PLACES: [(&str, &str); 44] = [
    ("02", "Telehealth, not in the client's home"),
    ("03", "School"),
    ("04", "Homeless shelter"),
    ("05", "Indian Health Service, free-standing"),
    ("06", "Indian Health Service, provider-based"),
    ("07", "Tribal 638, free-standing"),
    ("08", "Tribal 638, provider-based"),
    ("09", "Prison or correctional facility"),
    ("10", "Telehealth, in the client's home"),
    ("11", "Office"),
    ("12", "Home"),
    ("13", "Assisted living facility"),
    ("14", "Group home"),
    ("15", "Mobile unit"),
    ("16", "Temporary lodging"),
    ("17", "Walk-in retail health clinic"),
    ("18", "Place of employment"),
    ("19", "Off-campus outpatient hospital"),
    ("20", "Urgent care facility"),
    ("21", "Inpatient hospital"),
    ("22", "On-campus outpatient hospital"),
    ("23", "Emergency room"),
    ("26", "Military treatment facility"),
    ("27", "Outreach site or street"),
    ("31", "Skilled nursing facility"),
    ("32", "Nursing facility"),
    ("33", "Custodial care facility"),
    ("34", "Hospice"),
    ("49", "Independent clinic"),
    ("50", "Federally qualified health center"),
    ("51", "Inpatient psychiatric facility"),
    ("52", "Psychiatric facility, partial hospitalization"),
    ("53", "Community mental health center"),
    ("54", "Intermediate care facility for intellectual disabilities"),
    ("55", "Residential substance abuse treatment facility"),
    ("56", "Psychiatric residential treatment center"),
    ("57", "Non-residential substance abuse treatment facility"),
    ("58", "Non-residential opioid treatment facility"),
    ("61", "Comprehensive inpatient rehabilitation facility"),
    ("62", "Comprehensive outpatient rehabilitation facility"),
    ("66", "PACE center"),
    ("71", "Public health clinic"),
    ("72", "Rural health clinic"),
    ("99", "Other place of service"),
];

/// A place-of-service code from [`PlaceOfService::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceOfService(&'static str, &'static str);

impl PlaceOfService {
    pub const OFFICE: Self = Self("11", "Office");

    pub fn all() -> impl Iterator<Item = Self> {
        PLACES.iter().map(|(code, label)| Self(code, label))
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        let v = value.trim();
        Self::all().find(|p| p.0 == v).ok_or_else(|| "must be a place-of-service code from the list".into())
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn label(self) -> &'static str {
        self.1
    }
}

impl FromStr for PlaceOfService {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// A calendar colour by name, from a palette whose shades (in haven.css) keep white text
/// readable (WCAG AA contrast).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(&'static str);

const PALETTE: [&str; 8] = ["blue", "teal", "green", "amber", "orange", "rose", "violet", "slate"];

impl Color {
    pub fn all() -> impl Iterator<Item = Self> {
        PALETTE.iter().map(|name| Self(name))
    }

    pub fn parse(value: &str) -> Result<Self, String> {
        Self::all().find(|c| c.0 == value.trim()).ok_or_else(|| "must be one of the calendar colours".into())
    }

    pub fn name(self) -> &'static str {
        self.0
    }
}

impl FromStr for Color {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// Who attends one session of the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attendance {
    Individual,
    /// A couple or a family: several clients, seen together.
    Family,
    Group,
}

impl Attendance {
    pub const ALL: [Attendance; 3] = [Attendance::Individual, Attendance::Family, Attendance::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Individual => "individual",
            Attendance::Family => "family",
            Attendance::Group => "group",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Attendance::Individual => "Individual",
            Attendance::Family => "Couple or family",
            Attendance::Group => "Group",
        }
    }

    /// How many clients a session may hold.
    fn sizes(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Attendance::Individual => 1..=1,
            Attendance::Family => 2..=10,
            Attendance::Group => 2..=MAX_GROUP,
        }
    }
}

impl FromStr for Attendance {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim()).ok_or_else(|| "must be chosen from the list".into())
    }
}

impl fmt::Display for Attendance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a person typed into the appointment-type form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AppointmentTypeForm {
    pub name: String,
    pub minutes: String,
    #[serde(default)]
    pub service_code: String,
    pub place_of_service: String,
    pub color: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub billable: Option<String>,
    pub attendance: String,
    #[serde(default)]
    pub max_clients: String,
    /// Empty for "off".
    #[serde(default)]
    pub portal_booking: String,
}

impl AppointmentTypeForm {
    /// The form filled in from a stored type, for editing.
    pub fn from_spec(spec: &AppointmentTypeSpec) -> Self {
        Self {
            name: spec.name.clone(),
            minutes: spec.minutes.to_string(),
            service_code: spec.service_code.as_ref().map(ToString::to_string).unwrap_or_default(),
            place_of_service: spec.place_of_service.code().to_owned(),
            color: spec.color.name().to_owned(),
            billable: spec.billable.then(|| "on".to_owned()),
            attendance: spec.attendance.as_str().to_owned(),
            max_clients: spec.max_clients.to_string(),
            portal_booking: spec.portal_booking.as_str().to_owned(),
        }
    }

    /// Checks every field and reports all problems together.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<AppointmentTypeSpec> {
        let name = errors.check("name", required_text(&self.name, 80));
        let minutes = errors.check("minutes", whole_number(&self.minutes, MINUTES, "minutes"));
        let billable = self.billable.is_some();
        let service_code = match self.service_code.trim() {
            "" if billable => errors.check("service_code", Err("is required for a billable type".into())),
            "" => Some(None),
            code => errors.check("service_code", ServiceCode::parse(code)).map(Some),
        };
        let place_of_service = errors.check("place_of_service", PlaceOfService::parse(&self.place_of_service));
        let color = errors.check("color", Color::parse(&self.color));
        let attendance = errors.check("attendance", self.attendance.parse::<Attendance>());
        let max_clients = attendance.and_then(|a| match a {
            Attendance::Individual => Some(1),
            _ => errors.check("max_clients", whole_number(&self.max_clients, a.sizes(), "clients")),
        });
        let portal_booking = match self.portal_booking.trim() {
            "" => Some(PortalBooking::Off),
            typed => errors.check(
                "portal_booking",
                typed.parse::<PortalBooking>().map_err(|_| "must be one of the choices".into()),
            ),
        };
        // A group session is booked by the care team, who choose its clients.
        let portal_booking = match (portal_booking, max_clients) {
            (Some(booking), Some(most)) if booking != PortalBooking::Off && most > 1 => {
                errors.check("portal_booking", Err("is for sessions of one client".into()))
            }
            (booking, _) => booking,
        };
        Some(AppointmentTypeSpec {
            portal_booking: portal_booking?,
            name: name?,
            minutes: minutes?,
            service_code: service_code?,
            place_of_service: place_of_service?,
            color: color?,
            billable,
            attendance: attendance?,
            max_clients: max_clients?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AppointmentTypeForm {
        AppointmentTypeForm {
            name: " Psychotherapy, 45 min ".into(),
            minutes: "45".into(),
            service_code: "90834".into(),
            place_of_service: "11".into(),
            color: "teal".into(),
            billable: Some("on".into()),
            attendance: "individual".into(),
            max_clients: String::new(),
            portal_booking: String::new(),
        }
    }

    #[test]
    fn a_complete_form_is_accepted_and_round_trips() {
        let mut errors = FieldErrors::default();
        let spec = form().validate(&mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert!(errors.is_empty());
        assert_eq!(spec.name, "Psychotherapy, 45 min");
        assert_eq!((spec.minutes, spec.max_clients), (45, 1));
        assert_eq!(spec.place_of_service.label(), "Office");
        let again = AppointmentTypeForm::from_spec(&spec).validate(&mut errors).unwrap_or_else(|| panic!("{errors}"));
        assert_eq!(again, spec);
    }

    #[test]
    fn codes_follow_cpt_and_hcpcs_forms() {
        for good in ["90834", "90837", "0591T", "1040F", "H0004", "h2019", "G0444"] {
            assert!(ServiceCode::parse(good).is_ok(), "{good}");
        }
        for bad in ["9083", "908345", "W1234", "ABCDE", "9083X", "H00A4", ""] {
            assert!(ServiceCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = AppointmentTypeForm {
            name: "".into(),
            minutes: "0".into(),
            service_code: "".into(),
            place_of_service: "81".into(),
            color: "#ff0000".into(),
            billable: Some("on".into()),
            attendance: "crowd".into(),
            max_clients: "".into(),
            portal_booking: "always".into(),
        };
        let mut errors = FieldErrors::default();
        assert!(bad.validate(&mut errors).is_none());
        for field in ["name", "minutes", "service_code", "place_of_service", "color", "attendance", "portal_booking"] {
            assert!(errors.get(field).is_some(), "{field} not reported");
        }
        assert_eq!(errors.get("minutes"), Some("must be 5 to 480 minutes"));
    }

    #[test]
    fn group_sizes_are_bounded_and_individual_is_one() {
        let sized = |attendance: &str, max: &str| {
            let f = AppointmentTypeForm { attendance: attendance.into(), max_clients: max.into(), ..form() };
            f.validate(&mut FieldErrors::default()).map(|s| s.max_clients)
        };
        assert_eq!(sized("individual", "12"), Some(1));
        assert_eq!(sized("family", "4"), Some(4));
        assert_eq!(sized("family", "1"), None);
        assert_eq!(sized("group", "12"), Some(12));
        assert_eq!(sized("group", "31"), None);
        assert_eq!(sized("group", "lots"), None);
    }

    #[test]
    fn clients_book_only_sessions_of_one_in_the_portal() {
        let booking = |attendance: &str, max: &str, booking: &str| {
            let f = AppointmentTypeForm {
                attendance: attendance.into(),
                max_clients: max.into(),
                portal_booking: booking.into(),
                ..form()
            };
            f.validate(&mut FieldErrors::default()).map(|s| s.portal_booking)
        };
        assert_eq!(booking("individual", "", ""), Some(PortalBooking::Off));
        assert_eq!(booking("individual", "", "instant"), Some(PortalBooking::Instant));
        assert_eq!(booking("individual", "", "request"), Some(PortalBooking::Request));
        assert_eq!(booking("family", "2", "off"), Some(PortalBooking::Off));
        assert_eq!(booking("family", "2", "instant"), None);
        assert_eq!(booking("individual", "", "sometimes"), None);
    }

    #[test]
    fn a_type_without_billing_needs_no_code() {
        let f = AppointmentTypeForm { billable: None, service_code: " ".into(), ..form() };
        let spec = f.validate(&mut FieldErrors::default()).unwrap_or_else(|| panic!("refused"));
        assert_eq!((spec.billable, spec.service_code), (false, None));
    }
}
