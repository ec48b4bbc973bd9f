//! Property tests over thousands of generated series (fixed seeds, so a failure reproduces):
//! expansion agrees with a day-by-day reading of the rule written independently on jiff's
//! calendar; wall-clock times hold across daylight-saving changes in zones on both hemispheres
//! and with odd offsets; windows compose; rules print and parse back; an edit of "this and
//! following" that changes nothing changes no occurrence; exceptions survive edits.

use domain::rng::SplitMix64;
use haven_schedule::{DayOfWeek, End, Exception, Frequency, Pattern, Placement, Rule, Series};
use jiff::civil::{Date, DateTime, Time, Weekday, date};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, ToSpan};

const ZONES: [&str; 12] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Santiago",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
];
const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];
/// Times of day that include the ones daylight-saving changes skip or repeat somewhere.
const TIMES: [(i8, i8); 8] = [(0, 0), (0, 30), (1, 30), (2, 0), (2, 30), (9, 0), (17, 45), (23, 30)];

fn random_rule(rng: &mut SplitMix64, first: Date) -> Rule {
    let frequency = rng.pick(&[Frequency::Daily, Frequency::Weekly, Frequency::Monthly]);
    let mut rule = Rule::new(frequency);
    rule.interval = rng.pick(&[1, 1, 2, 3, 4]);
    rule.week_start = rng.pick(&WEEKDAYS);
    let days = |rng: &mut SplitMix64, with_first: bool| {
        let mut out = if with_first { vec![first.weekday()] } else { Vec::new() };
        for _ in 0..rng.below(3) {
            let day = rng.pick(&WEEKDAYS);
            if !out.contains(&day) {
                out.push(day);
            }
        }
        out
    };
    match frequency {
        Frequency::Daily if rng.below(2) == 0 => {
            rule.by_day = days(rng, true).into_iter().map(|weekday| DayOfWeek { nth: None, weekday }).collect()
        }
        Frequency::Weekly if rng.below(2) == 0 => {
            rule.by_day = days(rng, true).into_iter().map(|weekday| DayOfWeek { nth: None, weekday }).collect()
        }
        Frequency::Monthly => match rng.below(3) {
            0 => {
                // The first's own ordinal, counted from the start or the end of the month.
                let from_start = (first.day() - 1) / 7 + 1;
                let from_end = -((first.days_in_month() - first.day()) / 7 + 1);
                let nth = if rng.below(2) == 0 { from_start } else { from_end };
                rule.by_day = vec![DayOfWeek { nth: Some(nth), weekday: first.weekday() }];
            }
            1 => {
                let from_end = first.day() - first.days_in_month() - 1;
                rule.by_month_day = vec![if rng.below(2) == 0 { first.day() } else { from_end }];
                if rng.below(3) == 0 {
                    let extra = rng.pick(&[1, 15, 28, 31, -1]);
                    if !rule.by_month_day.contains(&extra) {
                        rule.by_month_day.push(extra);
                    }
                }
                if rng.below(3) == 0 {
                    // Both: only the listed days of the month that fall on this weekday.
                    rule.by_day = vec![DayOfWeek { nth: None, weekday: first.weekday() }];
                }
            }
            _ => {}
        },
        _ => {}
    }
    rule.end = match rng.below(4) {
        0 => End::Count(1 + rng.below(60) as u32),
        1 => End::UntilDate(first.checked_add((rng.below(500) as i64).days()).expect("date")),
        _ => End::Never,
    };
    rule
}

/// Whether the rule has an occurrence on `day`, read day by day on jiff's calendar — a second,
/// independent implementation of RFC 5545's meaning for the parts Haven supports.
fn rule_has(rule: &Rule, first: Date, day: Date) -> bool {
    if day < first {
        return false;
    }
    let interval = i64::from(rule.interval);
    let weekday_listed = |weekday: Weekday| rule.by_day.iter().any(|d| d.weekday == weekday);
    match rule.frequency {
        Frequency::Daily => {
            (day - first).get_days() as i64 % interval == 0 && (rule.by_day.is_empty() || weekday_listed(day.weekday()))
        }
        Frequency::Weekly => {
            let week_of = |d: Date| {
                let back =
                    (d.weekday().to_monday_zero_offset() - rule.week_start.to_monday_zero_offset()).rem_euclid(7);
                d.checked_sub(i64::from(back).days()).expect("date")
            };
            let weeks = week_of(first).until((jiff::Unit::Day, week_of(day))).expect("span").get_days() as i64 / 7;
            let days_ok =
                if rule.by_day.is_empty() { day.weekday() == first.weekday() } else { weekday_listed(day.weekday()) };
            weeks % interval == 0 && days_ok
        }
        Frequency::Monthly => {
            let months =
                (i64::from(day.year()) - i64::from(first.year())) * 12 + i64::from(day.month() - first.month());
            if months % interval != 0 {
                return false;
            }
            let by_day_ok = |d: &DayOfWeek| match d.nth {
                None => d.weekday == day.weekday(),
                Some(n) => day.nth_weekday_of_month(n, d.weekday).is_ok_and(|x| x == day),
            };
            if !rule.by_month_day.is_empty() {
                let length = day.days_in_month();
                rule.by_month_day.iter().any(|&d| if d > 0 { d == day.day() } else { length + 1 + d == day.day() })
                    && (rule.by_day.is_empty() || rule.by_day.iter().any(by_day_ok))
            } else if !rule.by_day.is_empty() {
                rule.by_day.iter().any(by_day_ok)
            } else {
                day.day() == first.day()
            }
        }
    }
}

fn case(seed: u64) -> (TimeZone, Pattern) {
    let mut rng = SplitMix64::new(seed);
    let zone = TimeZone::get(rng.pick(&ZONES)).expect("zone");
    let first = date(2024, 1, 1).checked_add((rng.below(365 * 6) as i64).days()).expect("date");
    let (hour, minute) = rng.pick(&TIMES);
    let start = first.to_datetime(Time::new(hour, minute, 0, 0).expect("time"));
    let rule = random_rule(&mut rng, first);
    (zone, Pattern { start, minutes: rng.pick(&[30, 45, 50, 60, 90]), rule })
}

fn window(pattern: &Pattern) -> (Timestamp, Timestamp) {
    let from =
        pattern.start.date().to_zoned(TimeZone::UTC).expect("zoned").timestamp() - SignedDuration::from_hours(48);
    (from, from + SignedDuration::from_hours(24 * 365 * 2))
}

#[test]
fn expansion_matches_a_day_by_day_reading_of_the_rule() {
    for seed in 0..1500 {
        let (zone, pattern) = case(seed);
        let series = match Series::new(zone.clone(), pattern.clone()) {
            Ok(series) => series,
            Err(err) => panic!("seed {seed}: {} from {}: {err}", pattern.rule, pattern.start),
        };
        let (from, to) = window(&pattern);
        let got: Vec<Date> = series.occurrences(from, to).iter().map(|o| o.id).collect();
        let last = zone.to_datetime(to).date();
        let mut expected = Vec::new();
        let mut day = pattern.start.date();
        while day <= last {
            if rule_has(&pattern.rule, pattern.start.date(), day) {
                expected.push(day);
            }
            day = day.tomorrow().expect("date");
        }
        match pattern.rule.end {
            End::Count(n) => expected.truncate(n as usize),
            End::UntilDate(until) => expected.retain(|d| *d <= until),
            _ => {}
        }
        // The window ends at an instant, not at the end of a local date.
        expected.retain(|d| {
            zone.to_ambiguous_timestamp(d.to_datetime(pattern.start.time())).compatible().expect("at") < to
        });
        assert_eq!(got, expected, "seed {seed}: {} from {} in {:?}", pattern.rule, pattern.start, zone.iana_name());
    }
}

#[test]
fn wall_clock_times_hold_across_daylight_saving_changes() {
    let (mut gaps, mut folds) = (0, 0);
    for seed in 0..1500 {
        let (zone, pattern) = case(seed);
        let series = Series::new(zone.clone(), pattern.clone()).expect("series");
        let (from, to) = window(&pattern);
        for o in series.occurrences(from, to) {
            assert_eq!(o.wall, o.id.to_datetime(pattern.start.time()), "seed {seed}");
            assert_eq!(o.end.duration_since(o.start).as_mins(), i64::from(pattern.minutes), "seed {seed}");
            let shown = zone.to_datetime(o.start);
            match o.placement {
                Placement::Exact => assert_eq!(shown, o.wall, "seed {seed}"),
                Placement::Fold => {
                    folds += 1;
                    assert_eq!(shown, o.wall, "seed {seed}");
                    assert!(matches!(zone.to_ambiguous_timestamp(o.wall).offset(), AmbiguousOffset::Fold { .. }));
                    // The first of the two: an hour (or the fold's length) earlier reads differently.
                    assert!(zone.to_datetime(o.start - SignedDuration::from_hours(1)) < o.wall, "seed {seed}");
                }
                Placement::Gap { shown: said } => {
                    gaps += 1;
                    assert_eq!(shown, said, "seed {seed}");
                    assert!(
                        said > o.wall && said.duration_since(o.wall) <= SignedDuration::from_hours(1),
                        "seed {seed}"
                    );
                    assert!(matches!(zone.to_ambiguous_timestamp(o.wall).offset(), AmbiguousOffset::Gap { .. }));
                }
            }
        }
    }
    assert!(gaps > 20 && folds > 20, "the cases must reach the transitions: {gaps} gaps, {folds} folds");
}

#[test]
fn windows_compose() {
    for seed in 0..500 {
        let (zone, pattern) = case(seed);
        let series = Series::new(zone, pattern.clone()).expect("series");
        let (from, to) = window(&pattern);
        let whole: Vec<Date> = series.occurrences(from, to).iter().map(|o| o.id).collect();
        let mut rng = SplitMix64::new(seed ^ 0xA5A5);
        let cut = from + SignedDuration::from_mins(rng.below(60 * 24 * 365 * 2) as i64);
        let mut parts: Vec<Date> = series.occurrences(from, cut).iter().map(|o| o.id).collect();
        parts.extend(series.occurrences(cut, to).iter().map(|o| o.id));
        parts.dedup(); // one session spanning the cut appears in both halves
        assert_eq!(parts, whole, "seed {seed}: cut at {cut}");
    }
}

#[test]
fn rules_print_and_parse_back() {
    for seed in 0..3000 {
        let (_, pattern) = case(seed);
        let text = pattern.rule.to_string();
        assert_eq!(Rule::parse(&text).as_ref(), Ok(&pattern.rule), "seed {seed}: {text}");
    }
}

#[test]
fn a_split_that_changes_nothing_changes_no_occurrence() {
    for seed in 0..800 {
        let (zone, pattern) = case(seed);
        let mut series = Series::new(zone, pattern.clone()).expect("series");
        let (from, to) = window(&pattern);
        let before = series.occurrences(from, to);
        if before.len() < 2 {
            continue;
        }
        let mut rng = SplitMix64::new(seed);
        let at = before[1 + rng.below(before.len() - 1)].id;
        let same = Pattern { start: at.to_datetime(pattern.start.time()), ..pattern.clone() };
        let (tail, detached) = series.split(at, same).expect("split");
        assert!(detached.is_empty());
        let mut after = series.occurrences(from, to);
        after.extend(tail.occurrences(from, to));
        let starts = |list: &[haven_schedule::Occurrence]| list.iter().map(|o| (o.id, o.start)).collect::<Vec<_>>();
        assert_eq!(starts(&after), starts(&before), "seed {seed}: {} split at {at}", pattern.rule);
    }
}

#[test]
fn exceptions_survive_a_change_of_time_for_all_and_for_following() {
    for seed in 0..500 {
        let (zone, pattern) = case(seed);
        let mut series = Series::new(zone, pattern.clone()).expect("series");
        let (from, to) = window(&pattern);
        let all = series.occurrences(from, to);
        if all.len() < 4 {
            continue;
        }
        let mut rng = SplitMix64::new(seed);
        let mut made = Vec::new();
        let chosen: Vec<_> = all.iter().skip(1).filter(|_| rng.below(3) == 0).collect();
        for o in chosen {
            let exception = if rng.below(2) == 0 {
                Exception::Removed
            } else {
                Exception::Moved { start: o.wall + SignedDuration::from_hours(26), minutes: 30 }
            };
            series.set_exception(o.id, exception.clone()).expect("exception");
            made.push((o.id, exception));
        }
        let later = |start: DateTime| start.with().hour((start.hour() + 3) % 24).build().expect("time");
        let detached = series.edit_all(Pattern { start: later(pattern.start), ..pattern.clone() }).expect("edit all");
        assert!(detached.is_empty(), "seed {seed}");
        assert_eq!(series.exceptions().clone().into_iter().collect::<Vec<_>>(), made, "seed {seed}");

        let at = all[all.len() / 2].id;
        let tail_start = later(at.to_datetime(pattern.start.time()));
        let (tail, detached) =
            series.split(at, Pattern { start: tail_start, ..series.pattern().clone() }).expect("split");
        assert!(detached.is_empty(), "seed {seed}");
        let mut kept: Vec<_> = series.exceptions().clone().into_iter().collect();
        kept.extend(tail.exceptions().clone());
        assert_eq!(kept, made, "seed {seed}");
        let removed_seen = series
            .occurrences(from, to)
            .iter()
            .chain(tail.occurrences(from, to).iter())
            .any(|o| made.iter().any(|(id, e)| *id == o.id && *e == Exception::Removed));
        assert!(!removed_seen, "seed {seed}: a removed session came back");
    }
}

/// The next free slot, and the first of each day to offer, against a brute-force search: every
/// step of local clock time from `from`, checked against hours, breaks and busy time with the
/// buffer.
#[test]
fn the_next_free_slot_is_the_first_that_fits() {
    use haven_schedule::{Availability, Busy, Interval, WeeklyBlock, free_slots, next_free_slot};
    for seed in 0..300 {
        let mut rng = SplitMix64::new(seed);
        let zone = TimeZone::get(rng.pick(&ZONES)).expect("zone");
        let working: Vec<Weekday> = WEEKDAYS.iter().copied().filter(|_| rng.below(4) != 0).collect();
        let hours: Vec<WeeklyBlock> = working
            .into_iter()
            .map(|weekday| {
                let start = rng.pick(&[7, 8, 9, 10]);
                WeeklyBlock {
                    weekday,
                    start: Time::new(start, 0, 0, 0).expect("t"),
                    end: Time::new(start + 8, 0, 0, 0).expect("t"),
                }
            })
            .collect();
        let breaks: Vec<WeeklyBlock> = hours
            .iter()
            .map(|h| WeeklyBlock {
                weekday: h.weekday,
                start: Time::new(12, 0, 0, 0).expect("t"),
                end: Time::new(12, 30, 0, 0).expect("t"),
            })
            .collect();
        let buffer = rng.pick(&[0, 5, 10, 15]);
        let from = date(2026, 1, 1)
            .checked_add((rng.below(730) as i64).days())
            .expect("date")
            .to_zoned(zone.clone())
            .expect("z")
            .timestamp()
            + SignedDuration::from_mins(rng.below(24 * 60) as i64);
        let mut busy: Vec<Interval> = (0..rng.below(150))
            .map(|_| {
                let start = from + SignedDuration::from_mins(rng.below(14 * 24 * 4) as i64 * 15);
                Interval { start, end: start + SignedDuration::from_mins(rng.pick(&[30, 50, 60, 90])) }
            })
            .collect();
        busy.sort();
        let availability =
            Availability::new(zone.clone(), hours.clone(), breaks.clone(), Vec::new(), buffer).expect("a");
        let minutes: i64 = rng.pick(&[30, 50, 60]);
        let booked = Busy::new(busy.clone());
        let found = next_free_slot(&[(&availability, &booked)], from, 2, minutes as u32, 15).map(|s| s.start);
        let offered: Vec<Timestamp> =
            free_slots(&[(&availability, &booked)], from, 2, minutes as u32, 15, 4).iter().map(|s| s.start).collect();
        // The same calendar twice: each day's slot twice, the calendar listed first first.
        let twice: Vec<(usize, Timestamp)> =
            free_slots(&[(&availability, &booked), (&availability, &booked)], from, 2, minutes as u32, 15, 4)
                .iter()
                .map(|s| (s.calendar, s.start))
                .collect();

        let length = SignedDuration::from_mins(minutes);
        let pad = SignedDuration::from_mins(buffer as i64);
        let fits = |start: Timestamp| {
            let end = start + length;
            let (local_start, local_end) = (zone.to_datetime(start), zone.to_datetime(end));
            let inside = |blocks: &[WeeklyBlock], a: jiff::civil::DateTime, b: jiff::civil::DateTime| {
                blocks.iter().any(|blk| {
                    blk.weekday == a.date().weekday()
                        && a.date() == b.date()
                        && blk.start <= a.time()
                        && b.time() <= blk.end
                })
            };
            let overlaps_break = breaks.iter().any(|blk| {
                blk.weekday == local_start.date().weekday()
                    && local_start.time() < blk.end
                    && local_end.time() > blk.start
            });
            inside(&hours, local_start, local_end)
                && !overlaps_break
                && busy.iter().all(|b| end <= b.start - pad || start >= b.end + pad)
        };
        let horizon = from + SignedDuration::from_hours(24 * 14);
        let mut first_of_each_day: Vec<Timestamp> = Vec::new();
        let mut t = Timestamp::from_second((from.as_second() + 60 * 15 - 1) / (60 * 15) * (60 * 15)).expect("t");
        // Start on a quarter hour of local time (every zone here is offset by whole quarter hours).
        while t < horizon && first_of_each_day.len() < 4 {
            let new_day = first_of_each_day
                .last()
                .is_none_or(|last| zone.to_datetime(*last).date() != zone.to_datetime(t).date());
            if t >= from && new_day && fits(t) {
                first_of_each_day.push(t);
            }
            t += SignedDuration::from_mins(15);
        }
        let context = format!("seed {seed} in {:?} from {from}", zone.iana_name());
        assert_eq!(found, first_of_each_day.first().copied(), "{context}");
        assert_eq!(offered, first_of_each_day, "{context}");
        let expected_twice: Vec<(usize, Timestamp)> =
            first_of_each_day.iter().flat_map(|t| [(0, *t), (1, *t)]).take(4).collect();
        assert_eq!(twice, expected_twice, "{context}");
    }
}
