//! Scheduling costs against issue 7's targets: expanding 1,000 series over a year (10 ms), the
//! occurrences of a week for a 30-clinician practice with two years of recurring history (the
//! expansion inside the 50 ms week view), and the next free slot across 30 clinicians over
//! 8 weeks (20 ms) — typical, and with every clinician fully booked for the first six weeks.
//! Prints JSON; times in milliseconds.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::hint::black_box;
use std::time::Instant;

use domain::rng::SplitMix64;
use haven_schedule::{Availability, Busy, Exception, Interval, Pattern, Rule, Series, WeeklyBlock, next_free_slot};
use jiff::civil::{Date, Time, Weekday, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

const ZONES: [&str; 4] = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"];
const RULES: [&str; 5] =
    ["FREQ=WEEKLY", "FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2", "FREQ=MONTHLY;BYDAY=2TU", "FREQ=WEEKLY;BYDAY=MO,TH"];
const WEEKDAYS: [Weekday; 5] =
    [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday];

/// A series a practice would have: a weekday at a working hour, started some weeks ago.
fn series(rng: &mut SplitMix64, zone: &TimeZone, started_by: Date, history_weeks: usize) -> Series {
    let rule = Rule::parse(rng.pick(&RULES)).expect("rule");
    let mut first = started_by.checked_sub(((rng.below(history_weeks) * 7) as i64).days()).expect("date");
    let start = time(rng.pick(&[8, 9, 10, 11, 13, 14, 15, 16]), rng.pick(&[0, 0, 30]), 0, 0);
    loop {
        let pattern = Pattern { start: first.to_datetime(start), minutes: rng.pick(&[45, 50, 60]), rule: rule.clone() };
        if let Ok(series) = Series::new(zone.clone(), pattern) {
            return series;
        }
        first = first.tomorrow().expect("date"); // until it is on a day the rule gives
    }
}

fn with_exceptions(rng: &mut SplitMix64, mut s: Series, from: Timestamp, to: Timestamp) -> Series {
    for o in s.occurrences(from, to) {
        match rng.below(20) {
            0 => s.set_exception(o.id, Exception::Removed).expect("remove"),
            1 => s
                .set_exception(o.id, Exception::Moved { start: o.wall + SignedDuration::from_hours(1), minutes: 50 })
                .expect("move"),
            _ => {}
        }
    }
    s
}

fn instant(d: Date) -> Timestamp {
    d.to_zoned(TimeZone::UTC).expect("zoned").timestamp()
}

/// Milliseconds per run: median, 95th and 99th percentile over `runs`.
fn measure(runs: usize, mut f: impl FnMut()) -> serde_json::Value {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| (times[((times.len() - 1) as f64 * q) as usize] * 1000.0).round() / 1000.0;
    serde_json::json!({ "p50_ms": at(0.5), "p95_ms": at(0.95), "p99_ms": at(0.99) })
}

fn main() {
    let mut rng = SplitMix64::new(7);
    let zones: Vec<TimeZone> = ZONES.iter().map(|z| TimeZone::get(z).expect("zone")).collect();
    let today = date(2026, 11, 23);

    // 1,000 series over a year.
    let thousand: Vec<Series> = (0..1000).map(|i| series(&mut rng, &zones[i % zones.len()], today, 52)).collect();
    let (year_from, year_to) = (instant(today), instant(today.checked_add(1.year()).expect("date")));
    let mut count = 0;
    let expand_year = measure(60, || {
        count = thousand.iter().map(|s| black_box(s.occurrences(year_from, year_to)).len()).sum();
    });

    // A 30-clinician practice, 25 series each, started up to two years ago, with exceptions.
    let history_from = instant(today.checked_sub(2.years()).expect("date"));
    let practice: Vec<Vec<Series>> = (0..30)
        .map(|c| {
            (0..25)
                .map(|_| {
                    let s = series(&mut rng, &zones[c % zones.len()], today, 104);
                    with_exceptions(&mut rng, s, history_from, year_to)
                })
                .collect()
        })
        .collect();
    let week = (instant(date(2027, 3, 8)), instant(date(2027, 3, 15))); // the week clocks change in the US
    let mut week_count = 0;
    let week_view = measure(200, || {
        week_count = practice.iter().flatten().map(|s| black_box(s.occurrences(week.0, week.1)).len()).sum();
    });

    // The next free slot: busy time from those series over the coming 8 weeks.
    let hours = |start: Time, end: Time| {
        WEEKDAYS.iter().map(|&weekday| WeeklyBlock { weekday, start, end }).collect::<Vec<_>>()
    };
    let availability: Vec<Availability> = (0..30)
        .map(|c| {
            Availability::new(
                zones[c % zones.len()].clone(),
                hours(time(8, 0, 0, 0), time(17, 0, 0, 0)),
                hours(time(12, 0, 0, 0), time(13, 0, 0, 0)),
                Vec::new(),
                10,
            )
            .expect("availability")
        })
        .collect();
    let horizon = instant(today.checked_add(8.weeks()).expect("date"));
    let from = instant(today) + SignedDuration::from_hours(14);
    let booked: Vec<Vec<Interval>> = practice
        .iter()
        .map(|list| {
            list.iter()
                .flat_map(|s| s.occurrences(from, horizon))
                .map(|o| Interval { start: o.start, end: o.end })
                .collect()
        })
        .collect();
    let busy: Vec<Busy> = booked.iter().map(|b| Busy::new(b.iter().copied())).collect();
    let calendars: Vec<(&Availability, &Busy)> = availability.iter().zip(&busy).collect();
    let typical = measure(500, || {
        black_box(next_free_slot(&calendars, from, 8, 50, 15));
    });
    // Worst case: every working minute of the first six weeks is booked for everyone.
    let six_weeks = Interval { start: from, end: from + SignedDuration::from_hours(24 * 7 * 6) };
    let full: Vec<Busy> = booked.iter().map(|b| Busy::new(b.iter().copied().chain([six_weeks]))).collect();
    let full_calendars: Vec<(&Availability, &Busy)> = availability.iter().zip(&full).collect();
    let found = next_free_slot(&full_calendars, from, 8, 50, 15).map(|s| s.start.to_string());
    let booked_six_weeks = measure(100, || {
        black_box(next_free_slot(&full_calendars, from, 8, 50, 15));
    });

    let report = serde_json::json!({
        "expand_1000_series_over_a_year": { "occurrences": count, "timing": expand_year, "target_ms": 10 },
        "week_of_30_clinicians_with_2_years_history": {
            "series": 750, "occurrences": week_count, "timing": week_view, "target_ms_for_the_whole_view_p95": 50
        },
        "next_free_slot_30_clinicians_8_weeks": {
            "typical": typical, "fully_booked_for_six_weeks": booked_six_weeks, "found_when_booked": found, "target_ms": 20
        },
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
