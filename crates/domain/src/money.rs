//! Money: whole cents in an `i64`, never a float. Amounts are read from what people type and
//! from X12 (both decimal text), written back as the same text, added and subtracted with
//! overflow refused, and split by the largest-remainder rule so that the parts always sum to the
//! whole.

use serde::{Deserialize, Serialize};

/// An amount of US dollars, in cents. Negative amounts are refunds, credits and reversals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(pub i64);

/// The largest amount Haven reads: ten million dollars, far above any therapy bill, far below
/// overflow however many are summed.
pub const MAX_AMOUNT: Cents = Cents(1_000_000_000);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is not an amount (write it as 120 or 120.50)")]
    NotAnAmount,
    #[error("has more than two decimal places")]
    FractionOfACent,
    #[error("is larger than Haven accepts (10,000,000.00)")]
    TooLarge,
}

impl Cents {
    pub const ZERO: Cents = Cents(0);

    /// Reads `120`, `120.5`, `120.50`, `-1.25`, `.75` or `1,234.00` (a thousands comma, as
    /// people type it). Refuses fractions of a cent, exponents, signs in the middle and
    /// amounts above [`MAX_AMOUNT`].
    pub fn parse(text: &str) -> Result<Cents, MoneyError> {
        let text = text.trim();
        let text = text.strip_prefix('$').unwrap_or(text);
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest.strip_prefix('$').unwrap_or(rest)),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let whole: String = strip_thousands(whole).ok_or(MoneyError::NotAnAmount)?;
        if (whole.is_empty() && fraction.is_empty()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotAnAmount);
        }
        if fraction.len() > 2 {
            // "1.500" is still a whole number of cents; "1.505" is not.
            if fraction[2..].bytes().any(|b| b != b'0') {
                return Err(MoneyError::FractionOfACent);
            }
        }
        if whole.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let dollars: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::NotAnAmount)? };
        let cents_text = format!("{:0<2}", &fraction[..fraction.len().min(2)]);
        let cents: i64 = cents_text.parse().map_err(|_| MoneyError::NotAnAmount)?;
        let amount = dollars * 100 + cents;
        if amount > MAX_AMOUNT.0 {
            return Err(MoneyError::TooLarge);
        }
        Ok(Cents(if negative { -amount } else { amount }))
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// `self` times a whole number (units of a service), or `None` on overflow.
    pub fn times(self, n: u32) -> Option<Cents> {
        self.0.checked_mul(i64::from(n)).map(Cents)
    }

    /// The sum of `amounts`, or `None` on overflow.
    pub fn sum<I: IntoIterator<Item = Cents>>(amounts: I) -> Option<Cents> {
        amounts.into_iter().try_fold(Cents::ZERO, Cents::checked_add)
    }

    /// As X12 writes a monetary amount (element type R): no currency sign, no thousands
    /// separator, no trailing zeros after the point and no point when whole (`200`, `149.25`,
    /// `60.5`, `-1.25`).
    pub fn to_x12(self) -> String {
        let (sign, abs) = if self.0 < 0 { ("-", self.0.unsigned_abs()) } else { ("", self.0.unsigned_abs()) };
        let (dollars, cents) = (abs / 100, abs % 100);
        match cents {
            0 => format!("{sign}{dollars}"),
            c if c % 10 == 0 => format!("{sign}{dollars}.{}", c / 10),
            c => format!("{sign}{dollars}.{c:02}"),
        }
    }

    /// Splits `self` into parts proportional to `weights`, each rounded down and the cents left
    /// over given one each to the largest remainders (earlier parts first on a tie), so the parts
    /// always sum to `self`. All-zero or empty weights give `None`.
    pub fn allocate(self, weights: &[u64]) -> Option<Vec<Cents>> {
        let total: u128 = weights.iter().map(|w| u128::from(*w)).sum();
        if total == 0 {
            return None;
        }
        let whole = i128::from(self.0);
        let magnitude = whole.unsigned_abs();
        let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
        let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let exact = magnitude * u128::from(*w);
            parts.push(exact / total);
            remainders.push((exact % total, i));
        }
        let given: u128 = parts.iter().sum();
        let mut left = magnitude - given;
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in remainders {
            if left == 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        let sign = if whole < 0 { -1 } else { 1 };
        parts.into_iter().map(|p| i64::try_from(p).ok().map(|p| Cents(sign * p))).collect()
    }
}

/// `1,234` → `1234`; a comma anywhere but between groups of three is not an amount.
fn strip_thousands(whole: &str) -> Option<String> {
    if !whole.contains(',') {
        return whole.bytes().all(|b| b.is_ascii_digit()).then(|| whole.to_owned());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && digits).then(|| groups.concat())
}

impl std::fmt::Display for Cents {
    /// `$1,234.50`, `-$1.25`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let dollars = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in dollars.chars().enumerate() {
            if i > 0 && (dollars.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}${grouped}.{:02}", abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn amounts_are_read_as_people_and_x12_write_them() {
        let read = |t: &str| Cents::parse(t).map(|c| c.0);
        assert_eq!(read("120"), Ok(12_000));
        assert_eq!(read("120.5"), Ok(12_050));
        assert_eq!(read(" $1,234.56 "), Ok(123_456));
        assert_eq!(read("-1.25"), Ok(-125));
        assert_eq!(read(".75"), Ok(75));
        assert_eq!(read("1.500"), Ok(150));
        assert_eq!(read("10000000"), Ok(1_000_000_000));
        assert_eq!(read("1.005"), Err(MoneyError::FractionOfACent));
        assert_eq!(read("10000000.01"), Err(MoneyError::TooLarge));
        assert_eq!(read("99999999999999999999"), Err(MoneyError::TooLarge));
        for bad in ["", "-", ".", "1e3", "1.2.3", "12,34", "1,2345", "--1", "1-", "NaN", "inf", "1 000", "+-1"] {
            assert_eq!(read(bad), Err(MoneyError::NotAnAmount), "{bad:?}");
        }
    }

    #[test]
    fn x12_text_and_display() {
        let cases = [(20_000, "200", "$200.00"), (14_925, "149.25", "$149.25"), (6_050, "60.5", "$60.50")];
        for (cents, x12, shown) in cases {
            assert_eq!((Cents(cents).to_x12(), Cents(cents).to_string()), (x12.to_owned(), shown.to_owned()));
        }
        assert_eq!((Cents(-125).to_x12(), Cents(-125).to_string()), ("-1.25".to_owned(), "-$1.25".to_owned()));
        assert_eq!((Cents(5).to_x12(), Cents(0).to_x12()), ("0.05".to_owned(), "0".to_owned()));
        assert_eq!(Cents(123_456_789).to_string(), "$1,234,567.89");
    }

    #[test]
    fn text_round_trips_for_any_amount() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..10_000 {
            let amount = Cents((rng.next_u64() % 2_000_000_001) as i64 - 1_000_000_000);
            assert_eq!(Cents::parse(&amount.to_x12()), Ok(amount), "{}", amount.to_x12());
            assert_eq!(Cents::parse(&amount.to_string()), Ok(amount), "{amount}");
        }
    }

    #[test]
    fn allocation_always_sums_to_the_whole() {
        assert_eq!(Cents(100).allocate(&[1, 1, 1]), Some(vec![Cents(34), Cents(33), Cents(33)]));
        assert_eq!(Cents(-100).allocate(&[1, 1, 1]), Some(vec![Cents(-34), Cents(-33), Cents(-33)]));
        assert_eq!(Cents(1).allocate(&[0, 5]), Some(vec![Cents(0), Cents(1)]));
        assert_eq!(Cents(10).allocate(&[0, 0]), None);
        assert_eq!(Cents(10).allocate(&[]), None);
        let mut rng = SplitMix64::new(11);
        for _ in 0..5_000 {
            let whole = Cents((rng.next_u64() % 2_000_001) as i64 - 1_000_000);
            let weights: Vec<u64> = (0..1 + rng.below(8)).map(|_| rng.next_u64() % 50_000).collect();
            let Some(parts) = whole.allocate(&weights) else {
                assert!(weights.iter().all(|w| *w == 0));
                continue;
            };
            assert_eq!(Cents::sum(parts.iter().copied()), Some(whole), "{weights:?}");
            // No part is more than a cent from its exact share.
            let total: u64 = weights.iter().sum();
            for (part, w) in parts.iter().zip(&weights) {
                let exact = whole.0 as f64 * *w as f64 / total as f64;
                assert!((part.0 as f64 - exact).abs() < 1.0 + 1e-9, "{part:?} vs {exact}");
            }
        }
    }

    #[test]
    fn sums_refuse_overflow() {
        assert_eq!(Cents::sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(Cents(i64::MAX).times(2), None);
        assert_eq!(Cents(6_000).times(2), Some(Cents(12_000)));
    }
}
