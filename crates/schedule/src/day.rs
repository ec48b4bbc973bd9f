//! Calendar days as a count since 1970-01-01, so that stepping through a year of
//! occurrences is integer arithmetic instead of calendar arithmetic.

use jiff::civil::{Date, Weekday};

/// A proleptic Gregorian day; `Day(0)` is Thursday 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Day(pub(crate) i32);

impl Day {
    pub(crate) fn from_date(date: Date) -> Self {
        Self::from_ymd(i32::from(date.year()), i32::from(date.month()), i32::from(date.day()))
    }

    /// Days from civil (Hinnant's algorithm, eras of 400 years).
    pub(crate) fn from_ymd(year: i32, month: i32, day: i32) -> Self {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        Self(era * 146_097 + day_of_era - 719_468)
    }

    pub(crate) fn ymd(self) -> (i32, i32, i32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
        let year = year_of_era + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// The civil date; `None` outside jiff's range (years -9999 to 9999).
    pub(crate) fn date(self) -> Option<Date> {
        let (year, month, day) = self.ymd();
        Date::new(i16::try_from(year).ok()?, month as i8, day as i8).ok()
    }

    pub(crate) fn plus(self, days: i32) -> Self {
        Self(self.0 + days)
    }

    /// Monday = 0 … Sunday = 6.
    pub(crate) fn weekday_index(self) -> i32 {
        (self.0 + 3).rem_euclid(7)
    }

    pub(crate) fn weekday(self) -> Weekday {
        weekday_from_index(self.weekday_index())
    }

    /// The first day of the week (starting on `week_start`) that holds this day.
    pub(crate) fn week_start(self, week_start: Weekday) -> Self {
        let back = (self.weekday_index() - index(week_start)).rem_euclid(7);
        self.plus(-back)
    }
}

pub(crate) fn index(weekday: Weekday) -> i32 {
    i32::from(weekday.to_monday_zero_offset())
}

pub(crate) fn weekday_from_index(index: i32) -> Weekday {
    const DAYS: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    DAYS[index.rem_euclid(7) as usize]
}

pub(crate) fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub(crate) fn days_in_month(year: i32, month: i32) -> i32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_jiff_over_four_centuries() {
        let mut date = jiff::civil::date(1900, 1, 1);
        let mut day = Day::from_date(date);
        while date.year() < 2300 {
            assert_eq!(Day::from_date(date), day, "{date}");
            assert_eq!(day.date(), Some(date));
            assert_eq!(day.weekday(), date.weekday(), "{date}");
            assert_eq!(days_in_month(i32::from(date.year()), i32::from(date.month())), i32::from(date.days_in_month()));
            date = date.tomorrow().expect("in range");
            day = day.plus(1);
        }
        assert_eq!(Day::from_ymd(1970, 1, 1), Day(0));
    }

    #[test]
    fn week_start_goes_back_to_the_chosen_day() {
        let wednesday = Day::from_ymd(2026, 11, 25);
        assert_eq!(wednesday.week_start(Weekday::Monday), Day::from_ymd(2026, 11, 23));
        assert_eq!(wednesday.week_start(Weekday::Sunday), Day::from_ymd(2026, 11, 22));
        assert_eq!(wednesday.week_start(Weekday::Wednesday), wednesday);
    }
}
