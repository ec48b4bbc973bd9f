//! The waitlist (SC-6): a client waiting for a session, with what they would accept — a
//! clinician or any, days of the week, a window of the day, in person or by video — so that
//! when a slot frees up the scheduler sees who fits it, longest wait first.

use jiff::civil::{Time, Weekday};
use serde::Deserialize;

use crate::appointment::Modality;
use crate::validation::FieldErrors;

/// The days a wish may name, Monday first: (stored name, label).
pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "MO", "Mon"),
    (Weekday::Tuesday, "TU", "Tue"),
    (Weekday::Wednesday, "WE", "Wed"),
    (Weekday::Thursday, "TH", "Thu"),
    (Weekday::Friday, "FR", "Fri"),
    (Weekday::Saturday, "SA", "Sat"),
    (Weekday::Sunday, "SU", "Sun"),
];

/// What a waiting client would accept; empty lists and `None` mean "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wish {
    pub weekdays: Vec<Weekday>,
    pub earliest: Time,
    pub latest: Time,
    pub modality: Option<Modality>,
}

impl Wish {
    /// The weekdays as stored: "MO,WE" (empty for any day).
    pub fn weekdays_text(&self) -> String {
        let names: Vec<&str> =
            WEEKDAYS.iter().filter(|(d, ..)| self.weekdays.contains(d)).map(|(_, name, _)| *name).collect();
        names.join(",")
    }

    /// Reads the stored weekdays back; an unknown name is an error.
    pub fn parse_weekdays(text: &str) -> Result<Vec<Weekday>, String> {
        text.split(',')
            .filter(|s| !s.is_empty())
            .map(|name| {
                WEEKDAYS.iter().find(|(_, n, _)| *n == name).map(|(d, ..)| *d).ok_or_else(|| format!("day {name:?}"))
            })
            .collect()
    }

    /// "Mon, Wed · 3:00 PM–6:00 PM · Video (telehealth)", for people.
    pub fn describe(&self) -> String {
        let days = match self.weekdays.as_slice() {
            [] => "Any day".to_owned(),
            days => {
                let labels: Vec<&str> =
                    WEEKDAYS.iter().filter(|(d, ..)| days.contains(d)).map(|(.., label)| *label).collect();
                labels.join(", ")
            }
        };
        let how = self.modality.map_or("In person or video", Modality::label);
        format!("{days} · {}–{} · {how}", self.earliest.strftime("%-I:%M %p"), self.latest.strftime("%-I:%M %p"))
    }
}

/// A wish as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct WishForm {
    #[serde(default)]
    pub client: String,
    /// Empty: any clinician.
    #[serde(default)]
    pub clinician: String,
    #[serde(default)]
    pub weekdays: Vec<String>,
    #[serde(default)]
    pub earliest: String,
    #[serde(default)]
    pub latest: String,
    /// Empty: either.
    #[serde(default)]
    pub modality: String,
}

impl WishForm {
    /// The wish, every problem named (the client and clinician are checked by the service).
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<Wish> {
        let weekdays = errors.check(
            "weekdays",
            self.weekdays
                .iter()
                .map(|d| WEEKDAYS.iter().find(|(_, n, _)| n == d).map(|(day, ..)| *day))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| "must be days of the week".to_owned()),
        );
        let time = |typed: &str, default: Time, field: &'static str, errors: &mut FieldErrors| match typed.trim() {
            "" => Some(default),
            text => errors.check(field, text.parse::<Time>().map_err(|_| "must be a time of day such as 15:00".into())),
        };
        let earliest = time(&self.earliest, Time::midnight(), "earliest", errors);
        let latest = time(&self.latest, jiff::civil::time(23, 59, 0, 0), "latest", errors);
        let modality = match self.modality.trim() {
            "" => Some(None),
            typed => errors.check(
                "modality",
                typed.parse::<Modality>().map(Some).map_err(|_| "must be in person or video".into()),
            ),
        };
        let (weekdays, earliest, latest, modality) = (weekdays?, earliest?, latest?, modality?);
        if latest <= earliest {
            errors.add("latest", "must be after the earliest time");
            return None;
        }
        Some(Wish { weekdays, earliest, latest, modality })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wish_reads_days_and_a_window_and_says_what_is_wrong() {
        let mut errors = FieldErrors::default();
        let form = WishForm {
            weekdays: vec!["WE".into(), "MO".into()],
            earliest: "15:00".into(),
            latest: "18:30".into(),
            modality: "telehealth".into(),
            ..WishForm::default()
        };
        let wish = form.validate(&mut errors).expect("valid");
        assert_eq!(wish.weekdays_text(), "MO,WE");
        assert_eq!(Wish::parse_weekdays("MO,WE"), Ok(vec![Weekday::Monday, Weekday::Wednesday]));
        assert_eq!(wish.describe(), "Mon, Wed · 3:00 PM–6:30 PM · Video (telehealth)");
        let any = WishForm::default().validate(&mut errors).expect("any time");
        assert_eq!((any.weekdays.len(), any.modality), (0, None));
        assert!(errors.is_empty());
        for (form, field) in [
            (WishForm { weekdays: vec!["XX".into()], ..WishForm::default() }, "weekdays"),
            (WishForm { earliest: "18:00".into(), latest: "09:00".into(), ..WishForm::default() }, "latest"),
            (WishForm { earliest: "noon".into(), ..WishForm::default() }, "earliest"),
            (WishForm { modality: "phone".into(), ..WishForm::default() }, "modality"),
        ] {
            let mut errors = FieldErrors::default();
            assert_eq!(form.validate(&mut errors), None);
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }
}
