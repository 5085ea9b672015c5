//! Aggregates as the databases return them (decimal text) combined exactly for totals and
//! subtotals: fixed point with four decimals, never a float.

use super::model::Aggregate;

const SCALE: i128 = 10_000;

/// A decimal with four places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fixed(i128);

impl Fixed {
    pub fn parse(text: &str) -> Option<Fixed> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut places = 0i128;
        let mut taken = 0;
        for c in frac.chars().take(4) {
            places = places * 10 + i128::from(c as u8 - b'0');
            taken += 1;
        }
        for _ in taken..4 {
            places *= 10;
        }
        // Half up on the fifth place.
        if frac.len() > 4 && frac.as_bytes()[4] >= b'5' {
            places += 1;
        }
        let value = whole.checked_mul(SCALE)?.checked_add(places)?;
        Some(Fixed(if negative { -value } else { value }))
    }

    pub fn from_count(n: i128) -> Fixed {
        Fixed(n.saturating_mul(SCALE))
    }

    pub fn plus(self, other: Fixed) -> Fixed {
        Fixed(self.0.saturating_add(other.0))
    }

    /// `self / n`, half away from zero.
    pub fn divided_by(self, n: Fixed) -> Option<Fixed> {
        if n.0 == 0 {
            return None;
        }
        let num = self.0.checked_mul(SCALE)?;
        let q = num / n.0;
        let r = num % n.0;
        let round = if 2 * r.abs() >= n.0.abs() {
            if (num < 0) ^ (n.0 < 0) { -1 } else { 1 }
        } else {
            0
        };
        Some(Fixed(q + round))
    }

    /// The shortest exact text: `12.5`, `3`, `-0.25`.
    pub fn text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.abs();
        let whole = v / SCALE;
        let frac = v % SCALE;
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let digits = format!("{frac:04}");
            format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// A number as the database wrote it, rewritten in the shortest exact form (`100.0` → `100`).
pub fn tidy(text: &str) -> String {
    Fixed::parse(text).map_or_else(|| text.to_owned(), Fixed::text)
}

/// One measure's partial result in a cell: what combining cells needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partial {
    Count(Fixed),
    Sum(Option<Fixed>),
    Avg { sum: Option<Fixed>, count: Fixed },
    Min(Option<String>),
    Max(Option<String>),
}

impl Partial {
    /// From the measure's SQL columns (one, or two for avg).
    pub fn read(aggregate: Aggregate, columns: &[Option<String>]) -> Partial {
        let num = |i: usize| {
            columns
                .get(i)
                .cloned()
                .flatten()
                .and_then(|t| Fixed::parse(&t))
        };
        match aggregate {
            Aggregate::Count => Partial::Count(num(0).unwrap_or(Fixed(0))),
            Aggregate::Sum => Partial::Sum(num(0)),
            Aggregate::Avg => Partial::Avg {
                sum: num(0),
                count: num(1).unwrap_or(Fixed(0)),
            },
            Aggregate::Min => Partial::Min(columns.first().cloned().flatten()),
            Aggregate::Max => Partial::Max(columns.first().cloned().flatten()),
        }
    }

    /// How many SQL columns the measure takes.
    pub fn width(aggregate: Aggregate) -> usize {
        if aggregate == Aggregate::Avg { 2 } else { 1 }
    }

    pub fn combine(&self, other: &Partial) -> Partial {
        let add = |a: &Option<Fixed>, b: &Option<Fixed>| match (a, b) {
            (Some(a), Some(b)) => Some(a.plus(*b)),
            (a, b) => a.or(*b),
        };
        let pick = |a: &Option<String>, b: &Option<String>, max: bool| match (a, b) {
            (Some(a), Some(b)) => {
                let a_first = match (Fixed::parse(a), Fixed::parse(b)) {
                    (Some(x), Some(y)) => x <= y,
                    _ => a <= b,
                };
                Some(if a_first ^ max { a.clone() } else { b.clone() })
            }
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        match (self, other) {
            (Partial::Count(a), Partial::Count(b)) => Partial::Count(a.plus(*b)),
            (Partial::Sum(a), Partial::Sum(b)) => Partial::Sum(add(a, b)),
            (Partial::Avg { sum: s1, count: c1 }, Partial::Avg { sum: s2, count: c2 }) => {
                Partial::Avg {
                    sum: add(s1, s2),
                    count: c1.plus(*c2),
                }
            }
            (Partial::Min(a), Partial::Min(b)) => Partial::Min(pick(a, b, false)),
            (Partial::Max(a), Partial::Max(b)) => Partial::Max(pick(a, b, true)),
            (a, _) => a.clone(),
        }
    }

    /// The figure shown.
    pub fn value(&self) -> Option<String> {
        match self {
            Partial::Count(n) => Some(n.text()),
            Partial::Sum(s) => s.map(Fixed::text),
            Partial::Avg { sum, count } => sum.and_then(|s| s.divided_by(*count)).map(Fixed::text),
            Partial::Min(v) | Partial::Max(v) => v.as_deref().map(tidy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_and_tidy() {
        assert_eq!(tidy("100.0"), "100");
        assert_eq!(tidy("0.30000000000000004"), "0.3");
        assert_eq!(tidy("-12.5000"), "-12.5");
        assert_eq!(tidy("abc"), "abc");
        let a = Fixed::parse("0.1").unwrap();
        let b = Fixed::parse("0.2").unwrap();
        assert_eq!(a.plus(b).text(), "0.3");
        assert_eq!(
            Fixed::parse("10")
                .unwrap()
                .divided_by(Fixed::from_count(3))
                .unwrap()
                .text(),
            "3.3333"
        );
        assert_eq!(
            Fixed::parse("2")
                .unwrap()
                .divided_by(Fixed::from_count(3))
                .unwrap()
                .text(),
            "0.6667"
        );
    }

    #[test]
    fn partials_combine_into_totals() {
        let avg = |s: &str, c: i128| Partial::Avg {
            sum: Fixed::parse(s),
            count: Fixed::from_count(c),
        };
        // (10 + 20 + 30) / 3 over cells of 1 and 2 rows, not the average of averages.
        assert_eq!(
            avg("10", 1).combine(&avg("50", 2)).value().as_deref(),
            Some("20")
        );
        let min = |v: &str| Partial::Min(Some(v.to_owned()));
        assert_eq!(min("9").combine(&min("10")).value().as_deref(), Some("9"));
        let max = |v: &str| Partial::Max(Some(v.to_owned()));
        assert_eq!(max("9").combine(&max("10")).value().as_deref(), Some("10"));
        assert_eq!(
            Partial::Sum(None)
                .combine(&Partial::Sum(Fixed::parse("1.5")))
                .value()
                .as_deref(),
            Some("1.5")
        );
    }
}
