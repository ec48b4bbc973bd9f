//! Series behaviour people rely on: wall-clock times across daylight saving, edits of one,
//! following and all, and refusals of series that cannot be.

use haven_schedule::{End, Exception, Pattern, Placement, Rule, Series, SeriesError};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, date};
use jiff::tz::TimeZone;

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).expect(name)
}

fn series(zone_name: &str, start: DateTime, minutes: u32, rule: &str) -> Series {
    Series::new(zone(zone_name), Pattern { start, minutes, rule: Rule::parse(rule).expect(rule) }).expect("series")
}

fn at(text: &str) -> Timestamp {
    text.parse().expect(text)
}

fn starts(series: &Series, from: &str, to: &str) -> Vec<String> {
    series.occurrences(at(from), at(to)).iter().map(|o| o.start.to_string()).collect()
}

#[test]
fn weekly_session_keeps_its_local_time_across_both_changes() {
    let s = series("America/New_York", date(2026, 10, 19).at(9, 0, 0, 0), 50, "FREQ=WEEKLY");
    assert_eq!(
        starts(&s, "2026-10-19T00:00:00Z", "2026-11-10T00:00:00Z"),
        ["2026-10-19T13:00:00Z", "2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z", "2026-11-09T14:00:00Z"]
    );
    assert_eq!(
        starts(&s, "2027-03-08T00:00:00Z", "2027-03-23T00:00:00Z"),
        ["2027-03-08T14:00:00Z", "2027-03-15T13:00:00Z", "2027-03-22T13:00:00Z"]
    );
    // A client in Los Angeles sees their own local time for the same session.
    let session = &s.occurrences(at("2027-03-15T00:00:00Z"), at("2027-03-16T00:00:00Z"))[0];
    assert_eq!(session.start.to_zoned(zone("America/Los_Angeles")).datetime(), date(2027, 3, 15).at(6, 0, 0, 0));
    assert_eq!(session.end.duration_since(session.start).as_mins(), 50);
}

#[test]
fn southern_hemisphere_and_half_hour_zones() {
    // Sydney leaves daylight saving on the first Sunday of April.
    let s = series("Australia/Sydney", date(2027, 3, 28).at(18, 0, 0, 0), 60, "FREQ=WEEKLY;COUNT=2");
    assert_eq!(
        starts(&s, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z"),
        ["2027-03-28T07:00:00Z", "2027-04-04T08:00:00Z"]
    );
    let s = series("America/St_Johns", date(2026, 10, 26).at(10, 0, 0, 0), 45, "FREQ=WEEKLY;COUNT=2");
    assert_eq!(
        starts(&s, "2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"),
        ["2026-10-26T12:30:00Z", "2026-11-02T13:30:00Z"]
    );
}

#[test]
fn an_occurrence_in_the_spring_gap_is_moved_and_says_so() {
    let s = series("America/Chicago", date(2027, 3, 7).at(2, 30, 0, 0), 30, "FREQ=WEEKLY;COUNT=3");
    let all = s.occurrences(at("2027-03-01T00:00:00Z"), at("2027-04-01T00:00:00Z"));
    assert_eq!(all[0].placement, Placement::Exact);
    assert_eq!(all[1].placement, Placement::Gap { shown: date(2027, 3, 14).at(3, 30, 0, 0) });
    assert_eq!(all[1].wall, date(2027, 3, 14).at(2, 30, 0, 0));
    assert_eq!(all[2].placement, Placement::Exact);
    assert_eq!(all[2].start.to_zoned(zone("America/Chicago")).datetime(), date(2027, 3, 21).at(2, 30, 0, 0));
}

#[test]
fn an_occurrence_in_the_autumn_fold_is_the_first_one_and_lasts_its_length() {
    let s = series("Europe/London", date(2026, 10, 18).at(1, 30, 0, 0), 50, "FREQ=WEEKLY;COUNT=2");
    let all = s.occurrences(at("2026-10-01T00:00:00Z"), at("2026-11-01T12:00:00Z"));
    assert_eq!(all[1].placement, Placement::Fold);
    assert_eq!(all[1].start.to_string(), "2026-10-25T00:30:00Z"); // 01:30 BST
    assert_eq!(all[1].end.duration_since(all[1].start).as_mins(), 50);
}

#[test]
fn refuses_series_that_cannot_be() {
    let make = |start: DateTime, minutes: u32, rule: &str| {
        Series::new(zone("America/Denver"), Pattern { start, minutes, rule: Rule::parse(rule).expect(rule) })
    };
    let tuesday = date(2026, 11, 24).at(10, 0, 0, 0);
    let err = make(tuesday, 50, "FREQ=WEEKLY;BYDAY=MO").expect_err("not a Monday");
    assert_eq!(
        err.to_string(),
        "the first session, Tuesday November 24, 2026, is not on a day the rule gives (Every week on Monday)"
    );
    assert_eq!(make(tuesday, 4, "FREQ=WEEKLY").expect_err("too short"), SeriesError::Minutes);
    assert_eq!(make(tuesday, 0, "FREQ=WEEKLY").expect_err("zero"), SeriesError::Minutes);
    assert_eq!(make(tuesday, 721, "FREQ=WEEKLY").expect_err("too long"), SeriesError::Minutes);
    assert_eq!(make(tuesday, 50, "FREQ=WEEKLY;UNTIL=20261101").expect_err("ends first"), SeriesError::EndsBeforeStart);
    assert_eq!(
        make(tuesday, 50, "FREQ=WEEKLY;UNTIL=20261124T165959Z").expect_err("ends a second before"),
        SeriesError::EndsBeforeStart
    );
    assert!(make(tuesday, 50, "FREQ=WEEKLY;UNTIL=20261124T170000Z").is_ok(), "UNTIL is inclusive");
}

fn ids(series: &Series) -> Vec<Date> {
    series.occurrences(at("2026-01-01T00:00:00Z"), at("2028-01-01T00:00:00Z")).iter().map(|o| o.id).collect()
}

#[test]
fn edit_this_one_moves_or_removes_only_it() {
    let mut s = series("America/Chicago", date(2026, 11, 2).at(15, 0, 0, 0), 50, "FREQ=WEEKLY;COUNT=4");
    s.set_exception(date(2026, 11, 9), Exception::Moved { start: date(2026, 11, 10).at(8, 0, 0, 0), minutes: 80 })
        .expect("move");
    s.set_exception(date(2026, 11, 16), Exception::Removed).expect("remove");
    let all = s.occurrences(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z"));
    let seen: Vec<(Date, String, bool)> = all.iter().map(|o| (o.id, o.start.to_string(), o.moved)).collect();
    assert_eq!(
        seen,
        [
            (date(2026, 11, 2), "2026-11-02T21:00:00Z".to_owned(), false),
            (date(2026, 11, 9), "2026-11-10T14:00:00Z".to_owned(), true),
            (date(2026, 11, 23), "2026-11-23T21:00:00Z".to_owned(), false),
        ]
    );
    assert_eq!(all[1].end.duration_since(all[1].start).as_mins(), 80);
    assert_eq!(
        s.set_exception(date(2026, 11, 3), Exception::Removed).expect_err("a Tuesday"),
        SeriesError::NotAnOccurrence(date(2026, 11, 3))
    );
    assert!(s.set_exception(date(2026, 11, 30), Exception::Removed).is_err(), "past the count");
    // Moving it back to its own time clears the exception.
    s.set_exception(date(2026, 11, 9), Exception::Moved { start: date(2026, 11, 9).at(15, 0, 0, 0), minutes: 50 })
        .expect("back");
    assert!(!s.exceptions().contains_key(&date(2026, 11, 9)));
}

#[test]
fn this_and_following_splits_and_carries_exceptions() {
    let mut s = series("America/New_York", date(2026, 10, 5).at(9, 0, 0, 0), 50, "FREQ=WEEKLY;COUNT=10");
    s.set_exception(date(2026, 10, 12), Exception::Removed).expect("early");
    s.set_exception(date(2026, 11, 16), Exception::Moved { start: date(2026, 11, 17).at(9, 0, 0, 0), minutes: 50 })
        .expect("late");
    // From November 2 on: Tuesdays at 11:00 instead of Mondays at 9:00.
    let pattern = Pattern { start: date(2026, 11, 3).at(11, 0, 0, 0), minutes: 50, rule: s.pattern().rule.clone() };
    let (tail, detached) = s.split(date(2026, 11, 2), pattern).expect("split");
    assert!(detached.is_empty());
    assert_eq!(s.pattern().rule.end, End::UntilDate(date(2026, 11, 1)));
    assert_eq!(ids(&s), [date(2026, 10, 5), date(2026, 10, 19), date(2026, 10, 26)]);
    assert_eq!(s.exceptions().len(), 1);
    // Ten sessions in all: four before the split, six after.
    assert_eq!(tail.pattern().rule.end, End::Count(6));
    assert_eq!(ids(&tail).len(), 6);
    assert_eq!(
        tail.exceptions().get(&date(2026, 11, 17)),
        Some(&Exception::Moved { start: date(2026, 11, 17).at(9, 0, 0, 0), minutes: 50 }),
        "the moved session keeps its moved time, now keyed on the Tuesday"
    );
    let mut unsplittable = s.clone();
    assert_eq!(
        unsplittable.split(date(2026, 10, 5), s.pattern().clone()).expect_err("first"),
        SeriesError::SplitAtFirst
    );
    assert_eq!(
        unsplittable.split(date(2026, 10, 6), s.pattern().clone()).expect_err("not a session"),
        SeriesError::NotAnOccurrence(date(2026, 10, 6))
    );
}

#[test]
fn edit_all_keeps_exceptions_that_still_fit_and_detaches_the_rest() {
    let mut s = series("Europe/Berlin", date(2026, 11, 2).at(9, 0, 0, 0), 50, "FREQ=WEEKLY");
    s.set_exception(date(2026, 11, 9), Exception::Removed).expect("week 2");
    s.set_exception(date(2026, 11, 16), Exception::Moved { start: date(2026, 11, 16).at(12, 0, 0, 0), minutes: 50 })
        .expect("week 3");
    // Same days, later in the day: both exceptions stay.
    let later = Pattern { start: date(2026, 11, 2).at(10, 0, 0, 0), minutes: 45, rule: s.pattern().rule.clone() };
    assert!(s.edit_all(later).expect("later").is_empty());
    assert_eq!(s.exceptions().len(), 2);
    // Every other week: week 2 (removed) is no longer a session and is handed back.
    let every_other = Pattern {
        start: date(2026, 11, 2).at(10, 0, 0, 0),
        minutes: 45,
        rule: Rule::parse("FREQ=WEEKLY;INTERVAL=2").expect("rule"),
    };
    let detached = s.edit_all(every_other).expect("every other");
    assert_eq!(detached, [(date(2026, 11, 9), Exception::Removed)]);
    assert!(s.exceptions().contains_key(&date(2026, 11, 16)));
    // An invalid edit changes nothing.
    let before = s.exceptions().clone();
    let bad = Pattern {
        start: date(2026, 11, 3).at(10, 0, 0, 0),
        minutes: 45,
        rule: Rule::parse("FREQ=WEEKLY;BYDAY=MO").expect("rule"),
    };
    assert!(s.edit_all(bad).is_err());
    assert_eq!(s.exceptions(), &before);
    assert_eq!(s.pattern().minutes, 45);
}
