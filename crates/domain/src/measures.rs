//! Measurement-based care (CR-7): the instruments of `data/instruments.csv` (ranges, bands and
//! sources as published), scored from the answers given, with the critical items that raise a
//! suicide-risk alert whatever the total.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const INSTRUMENTS_CSV: &str = include_str!("../data/instruments.csv");

/// A band of total scores and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub low: u32,
    pub high: u32,
    pub label: String,
}

/// A standardized instrument as shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    /// The short name, also its stable identifier (`PHQ-9`).
    pub name: &'static str,
    pub loinc_panel: &'static str,
    pub loinc_total: &'static str,
    pub items: usize,
    pub item_min: u8,
    pub item_max: u8,
    /// The range of the total; `None` for an instrument that is not summed (the C-SSRS).
    pub score_range: Option<(u32, u32)>,
    pub bands: Vec<Band>,
    pub source: String,
    pub notes: String,
}

impl Instrument {
    /// The question wording, where it is free to reproduce (the PHQ and GAD-7); `None` for the
    /// others, which are answered item by item from the practice's licensed form.
    pub fn questions(&self) -> Option<(&'static str, &'static [&'static str], &'static [&'static str])> {
        const OFTEN: &[&str] = &["Not at all", "Several days", "More than half the days", "Nearly every day"];
        const STEM: &str = "Over the last 2 weeks, how often have you been bothered by any of the following problems?";
        match self.name {
            "PHQ-9" => Some((STEM, &PHQ9, OFTEN)),
            "PHQ-2" => Some((STEM, &PHQ9[..2], OFTEN)),
            "GAD-7" => Some((STEM, &GAD7, OFTEN)),
            _ => None,
        }
    }

    /// Whether this is the C-SSRS screener, which is triaged rather than summed.
    pub fn is_cssrs(&self) -> bool {
        self.score_range.is_none()
    }
}

const PHQ9: [&str; 9] = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
];

const GAD7: [&str; 7] = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
];

fn number(field: &str) -> Option<u32> {
    field.trim().parse().ok()
}

/// `0-4:none-minimal;5-9:mild` as bands.
fn bands(text: &str) -> Vec<Band> {
    text.split(';')
        .filter_map(|band| {
            let (range, label) = band.split_once(':')?;
            let (low, high) = range.split_once('-')?;
            Some(Band { low: number(low)?, high: number(high)?, label: label.trim().to_owned() })
        })
        .collect()
}

/// Every instrument Haven scores, in the shipped order.
pub fn instruments() -> &'static [Instrument] {
    static ALL: OnceLock<Vec<Instrument>> = OnceLock::new();
    ALL.get_or_init(|| {
        INSTRUMENTS_CSV
            .lines()
            .skip(1)
            .filter(|line| !line.is_empty())
            .filter_map(|line| {
                let f = crate::csv::fields(line);
                let text = |i: usize| f.get(i).map(|v| v.to_string()).unwrap_or_default();
                let name = match f.first()? {
                    std::borrow::Cow::Borrowed(name) => *name,
                    std::borrow::Cow::Owned(_) => return None,
                };
                let borrowed = |i: usize| match f.get(i) {
                    Some(std::borrow::Cow::Borrowed(v)) => *v,
                    _ => "",
                };
                Some(Instrument {
                    name,
                    loinc_panel: borrowed(1),
                    loinc_total: borrowed(2),
                    items: number(&text(3))? as usize,
                    item_min: u8::try_from(number(&text(4))?).ok()?,
                    item_max: u8::try_from(number(&text(5))?).ok()?,
                    score_range: number(&text(6)).zip(number(&text(7))),
                    bands: bands(&text(8)),
                    source: text(10),
                    notes: text(11),
                })
            })
            .collect()
    })
}

/// The instrument of that name.
pub fn instrument(name: &str) -> Option<&'static Instrument> {
    instruments().iter().find(|i| i.name == name)
}

/// How urgently a result asks the clinician to act on suicide risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Risk {
    Low,
    Moderate,
    High,
}

stored_names!(Risk {
    Low => "low", "Low risk";
    Moderate => "moderate", "Moderate risk";
    High => "high", "High risk";
});

/// A scored administration: what is sealed with it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scored {
    pub answers: Vec<u8>,
    /// C-SSRS: the suicidal behaviour of question 6 was within the past 3 months.
    #[serde(default)]
    pub behaviour_recent: bool,
    pub total: Option<u32>,
    pub band: Option<String>,
    /// The risk alert it raises, and why.
    pub risk: Option<(String, String)>,
}

redacted_debug!(Scored);

impl Scored {
    pub fn risk_level(&self) -> Option<Risk> {
        self.risk.as_ref().and_then(|(level, _)| level.parse().ok())
    }
}

/// Scores `answers` (one per item, in order) on `instrument`: the total and its band, and the
/// alert a critical item raises — PHQ-9 item 9 above 0 asks for same-day follow-up whatever the
/// total; the C-SSRS screener is triaged by its most serious yes (questions 3–5 are asked only
/// after a yes to question 2).
pub fn score(instrument: &Instrument, answers: &[u8], behaviour_recent: bool) -> Result<Scored, String> {
    if answers.len() != instrument.items {
        return Err(format!("{} has {} items; {} were answered", instrument.name, instrument.items, answers.len()));
    }
    if let Some(i) = answers.iter().position(|a| !(instrument.item_min..=instrument.item_max).contains(a)) {
        let (min, max) = (instrument.item_min, instrument.item_max);
        return Err(format!("item {} must be {min} to {max}", i + 1));
    }
    if instrument.is_cssrs() {
        return cssrs(answers, behaviour_recent);
    }
    let total: u32 = answers.iter().map(|a| u32::from(*a)).sum();
    let band = instrument.bands.iter().find(|b| (b.low..=b.high).contains(&total)).map(|b| b.label.clone());
    let risk = (instrument.name == "PHQ-9" && answers[8] > 0).then(|| {
        (Risk::High.as_str().to_owned(), "PHQ-9 item 9 answered above 0: same-day suicide risk follow-up".to_owned())
    });
    Ok(Scored { answers: answers.to_vec(), behaviour_recent: false, total: Some(total), band, risk })
}

fn cssrs(answers: &[u8], behaviour_recent: bool) -> Result<Scored, String> {
    let yes = |q: usize| answers[q - 1] == 1;
    if !yes(2) && (yes(3) || yes(4) || yes(5)) {
        return Err("questions 3 to 5 are asked only after a yes to question 2".into());
    }
    let risk = if yes(4) || yes(5) || (yes(6) && behaviour_recent) {
        Some((Risk::High, "C-SSRS: intent, a plan, or suicidal behaviour within the past 3 months"))
    } else if yes(3) || yes(6) {
        Some((Risk::Moderate, "C-SSRS: thoughts of a method, or suicidal behaviour more than 3 months ago"))
    } else if yes(1) || yes(2) {
        Some((Risk::Low, "C-SSRS: a wish to be dead or suicidal thoughts"))
    } else {
        None
    };
    Ok(Scored {
        answers: answers.to_vec(),
        behaviour_recent: yes(6) && behaviour_recent,
        total: None,
        band: risk.map(|(level, _)| level.label().to_owned()).or_else(|| Some("No risk identified".into())),
        risk: risk.map(|(level, why)| (level.as_str().to_owned(), why.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> &'static Instrument {
        instrument(name).unwrap_or_else(|| panic!("{name}"))
    }

    fn band(name: &str, answers: &[u8]) -> (Option<u32>, String) {
        let s = score(named(name), answers, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        (s.total, s.band.unwrap_or_default())
    }

    #[test]
    fn the_shipped_instruments_are_read_with_bands_covering_their_range() {
        let names: Vec<_> = instruments().iter().map(|i| i.name).collect();
        assert_eq!(names, ["PHQ-9", "PHQ-2", "GAD-7", "AUDIT-C", "PCL-5", "C-SSRS screener"]);
        for i in instruments().iter().filter(|i| !i.is_cssrs()) {
            let (min, max) = i.score_range.unwrap_or_else(|| panic!("{}", i.name));
            assert_eq!((i.bands[0].low, i.bands.last().map(|b| b.high)), (min, Some(max)), "{}", i.name);
            for pair in i.bands.windows(2) {
                assert_eq!(pair[0].high + 1, pair[1].low, "{} has a gap", i.name);
            }
            assert_eq!(max, i.items as u32 * u32::from(i.item_max), "{}", i.name);
        }
        assert_eq!(named("PHQ-9").loinc_total, "44261-6");
    }

    /// Hand-computed cases on both sides of every band boundary.
    #[test]
    fn totals_fall_in_the_published_bands() {
        // Spread over items 1-8 (item 9 stays 0: no alert).
        let phq9 = |total: u8| {
            let mut a = [0u8; 9];
            let mut left = total;
            for slot in a.iter_mut().take(8) {
                *slot = left.min(3);
                left -= *slot;
            }
            a
        };
        for (total, label) in [
            (0, "none-minimal"),
            (4, "none-minimal"),
            (5, "mild"),
            (9, "mild"),
            (10, "moderate"),
            (14, "moderate"),
            (15, "moderately severe"),
            (19, "moderately severe"),
            (20, "severe"),
            (24, "severe"),
        ] {
            assert_eq!(phq9(total).iter().map(|a| u32::from(*a)).sum::<u32>(), u32::from(total));
            assert_eq!(band("PHQ-9", &phq9(total)), (Some(u32::from(total)), label.to_owned()), "PHQ-9 {total}");
        }
        assert_eq!(band("PHQ-9", &[3; 9]), (Some(27), "severe".into()));
        assert_eq!(band("PHQ-2", &[1, 1]).1, "negative");
        assert_eq!(band("PHQ-2", &[2, 1]).1, "positive");
        assert_eq!(band("GAD-7", &[1, 1, 1, 1, 0, 0, 0]).1, "minimal");
        assert_eq!(band("GAD-7", &[1, 1, 1, 1, 1, 0, 0]).1, "mild");
        assert_eq!(band("GAD-7", &[2, 2, 2, 2, 1, 1, 0]).1, "moderate");
        assert_eq!(band("GAD-7", &[3, 3, 3, 3, 3, 0, 0]).1, "severe");
        assert_eq!(band("AUDIT-C", &[1, 1, 0]).1, "negative");
        assert_eq!(band("AUDIT-C", &[1, 1, 1]).1, "positive for women only");
        assert_eq!(band("AUDIT-C", &[2, 1, 1]).1, "positive");
        let pcl = |total: u32| {
            let mut a = [0u8; 20];
            let mut left = total;
            for slot in &mut a {
                let add = left.min(4);
                *slot = add as u8;
                left -= add;
            }
            a
        };
        assert_eq!(band("PCL-5", &pcl(30)).1, "below the probable-PTSD cut-off");
        assert_eq!(band("PCL-5", &pcl(31)).1, "within the 31-33 cut-off range");
        assert_eq!(band("PCL-5", &pcl(33)).1, "probable PTSD");
        assert_eq!(band("PCL-5", &pcl(80)), (Some(80), "probable PTSD".into()));
    }

    #[test]
    fn critical_items_raise_the_alert_whatever_the_total() {
        let mut answers = [0u8; 9];
        answers[8] = 1;
        let s = score(named("PHQ-9"), &answers, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.total, s.band.as_deref(), s.risk_level()), (Some(1), Some("none-minimal"), Some(Risk::High)));
        assert_eq!(score(named("PHQ-9"), &[3, 3, 3, 3, 3, 3, 3, 3, 0], false).map(|s| s.risk_level()), Ok(None));

        let cssrs = |a: [u8; 6], recent: bool| score(named("C-SSRS screener"), &a, recent).map(|s| s.risk_level());
        assert_eq!(cssrs([0; 6], false), Ok(None));
        assert_eq!(cssrs([1, 0, 0, 0, 0, 0], false), Ok(Some(Risk::Low)));
        assert_eq!(cssrs([1, 1, 1, 0, 0, 0], false), Ok(Some(Risk::Moderate)));
        assert_eq!(cssrs([0, 0, 0, 0, 0, 1], false), Ok(Some(Risk::Moderate)));
        assert_eq!(cssrs([0, 0, 0, 0, 0, 1], true), Ok(Some(Risk::High)));
        assert_eq!(cssrs([1, 1, 0, 1, 0, 0], false), Ok(Some(Risk::High)));
        assert_eq!(cssrs([1, 1, 0, 0, 1, 0], false), Ok(Some(Risk::High)));
        assert!(cssrs([1, 0, 1, 0, 0, 0], false).is_err(), "question 3 without a yes to question 2");
        assert!(score(named("PHQ-9"), &[0; 8], false).is_err());
        assert!(score(named("GAD-7"), &[0, 0, 0, 0, 0, 0, 4], false).is_err_and(|e| e.contains("item 7")));
    }
}
