//! What a clinician's calendar feed says about each session. A feed is read by a calendar
//! program, and often stored by a calendar provider the practice has no business associate
//! agreement with, so by default it says "Session" and the client's initials, never a name,
//! a diagnosis or a video link. More detail is the owner's explicit choice, with a warning.

/// How much a practice's feeds say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Detail {
    /// "Busy": the time only.
    Busy,
    /// "Session · J.D.": the default.
    #[default]
    Initials,
    /// "Individual therapy · Jane Doe": names reach the calendar provider.
    Names,
}

stored_names!(Detail {
    Busy => "busy", "Time only (“Busy”)";
    Initials => "initials", "“Session” and the client's initials (default)";
    Names => "names", "Session type and the client's full name";
});

/// "Jane Q. van Doe" → "J.Q.v.D.": the first letter of each part of a name.
pub fn initials(full_name: &str) -> String {
    full_name.split_whitespace().filter_map(|part| part.chars().next()).flat_map(|c| [c, '.']).collect()
}

/// An event's title: `type_name` and the clients' names, told as much as `detail` allows.
pub fn summary(detail: Detail, type_name: &str, names: &[String]) -> String {
    match detail {
        Detail::Busy => "Busy".to_owned(),
        Detail::Initials if names.is_empty() => "Session".to_owned(),
        Detail::Initials => {
            let initials: Vec<String> = names.iter().map(|n| initials(n)).collect();
            format!("Session · {}", initials.join(", "))
        }
        Detail::Names if names.is_empty() => type_name.to_owned(),
        Detail::Names => format!("{type_name} · {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_says_as_much_as_its_detail_allows() {
        let names = ["Jane Q. Doe".to_owned(), "Sam  Lee".to_owned()];
        assert_eq!(summary(Detail::default(), "Couples therapy", &names), "Session · J.Q.D., S.L.");
        assert_eq!(summary(Detail::Busy, "Couples therapy", &names), "Busy");
        assert_eq!(summary(Detail::Names, "Couples therapy", &names), "Couples therapy · Jane Q. Doe, Sam  Lee");
        assert_eq!(summary(Detail::Initials, "Intake", &[]), "Session");
        assert_eq!(initials("Łucja Ñúñez"), "Ł.Ñ.");
    }
}
