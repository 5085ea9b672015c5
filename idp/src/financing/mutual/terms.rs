//! A mutual-fund loan's terms, in integer fen and exact decimals: the monthly rate after the
//! float, the interest, the handling fee, the dates and the repayment schedule. The rules:
//!
//! - MONTHLY_RATE (‰) = base rate × (1 + FLOATING_MULTIPLES %), rounded half up to 0.01 ‰
//!   (the two decimals the record keeps); the rounded rate is the one the contract applies.
//! - INTEREST = principal × MONTHLY_RATE × months, rounded half up to the fen, once.
//! - HANDLING_FEE = principal × the fee percentage, rounded half up to the fen.
//! - LAST_REPAY_DATE = LOAN_DATE plus the term in calendar months (the day clamped to the
//!   month's end), less one day; the loan is due until that day ends in China time.
//! - The schedule: the interest in equal monthly parts (the remainder in the last), the fee with
//!   the first instalment, the principal with the last.

use serde::Serialize;
use time::{Date, Duration, Month};

use super::super::fees::round_half_up;

/// Whole units of 0.0001 in a decimal text (`"3.95"` → 39 500); at most four decimals.
pub fn ten_thousandths(text: &str) -> Option<i64> {
    super::super::fees::percent_to_ppm(text)
}

/// The monthly rate in hundredths of a per mille (4.35 ‰ → 435).
pub fn monthly_rate(base_permille_e4: i64, floating_percent_e4: i64) -> i64 {
    // base (1e-4 ‰) × (100 % + float) (1e-4 %) → 1e-10 ‰ units; to 1e-2 ‰ is ÷ 1e8.
    round_half_up(
        base_permille_e4 as i128 * (1_000_000 + floating_percent_e4) as i128,
        100_000_000,
    )
}

/// The interest of `months` at `rate` (hundredths of a per mille a month).
pub fn interest(principal_fen: i64, rate_centi_permille: i64, months: i64) -> i64 {
    round_half_up(
        principal_fen as i128 * rate_centi_permille as i128 * months as i128,
        100_000,
    )
}

/// `value` (1e-2 units) as text with two decimals (435 → "4.35").
pub fn two_decimals(value: i64) -> String {
    format!("{}.{:02}", value / 100, value % 100)
}

/// `value` (1e-4 units) as text, without trailing zeros beyond two decimals (100 000 → "10.00").
pub fn four_decimals(value: i64) -> String {
    let text = format!("{}.{:04}", value / 10_000, value % 10_000);
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        format!("{}.{:02}", value / 10_000, (value % 10_000) / 100)
    } else {
        trimmed.to_owned()
    }
}

/// `months` calendar months after `date`, the day clamped to the month's end.
pub fn add_months(date: Date, months: i64) -> Option<Date> {
    let total = date.year() as i64 * 12 + (date.month() as i64 - 1) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).ok()?;
    Date::from_calendar_date(year, month, date.day().min(month.length(year))).ok()
}

/// The last day of a term of `months` from `loan_date`.
pub fn last_repay_date(loan_date: Date, months: i64) -> Option<Date> {
    add_months(loan_date, months)?.checked_sub(Duration::days(1))
}

/// The instant (Unix seconds) `date` ends in China time.
pub fn end_of_day(date: Date) -> i64 {
    date.next_day()
        .unwrap_or(date)
        .midnight()
        .assume_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
        .unix_timestamp()
}

/// `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )
}

/// The China date of a Unix time.
pub fn china_day(unix: i64) -> Option<Date> {
    parse_date(&crate::clock::shanghai_date(unix))
}

/// One instalment of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Instalment {
    pub no: i64,
    pub date: String,
    pub principal_fen: i64,
    pub interest_fen: i64,
    pub fee_fen: i64,
}

/// The repayment schedule of a loan.
pub fn schedule(
    loan_date: Date,
    months: i64,
    principal_fen: i64,
    interest_fen: i64,
    fee_fen: i64,
) -> Vec<Instalment> {
    let months = months.clamp(1, 120);
    let part = interest_fen / months;
    (1..=months)
        .map(|no| {
            let date = last_repay_date(loan_date, no).unwrap_or(loan_date);
            let last = no == months;
            Instalment {
                no,
                date: format_date(date),
                principal_fen: if last { principal_fen } else { 0 },
                interest_fen: if last {
                    interest_fen - part * (months - 1)
                } else {
                    part
                },
                fee_fen: if no == 1 { fee_fen } else { 0 },
            }
        })
        .collect()
}

/// How a repayment is applied: the fee first, then the interest, then the principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub fee_fen: i64,
    pub interest_fen: i64,
    pub principal_fen: i64,
}

/// What is still owed of each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Owed {
    pub fee_fen: i64,
    pub interest_fen: i64,
    pub principal_fen: i64,
}

impl Owed {
    pub fn total(&self) -> i64 {
        self.fee_fen + self.interest_fen + self.principal_fen
    }

    /// Applies `amount` (at most the total owed).
    pub fn apply(&self, amount: i64) -> Applied {
        let fee = amount.min(self.fee_fen).max(0);
        let interest = (amount - fee).min(self.interest_fen).max(0);
        let principal = (amount - fee - interest).min(self.principal_fen).max(0);
        Applied {
            fee_fen: fee,
            interest_fen: interest,
            principal_fen: principal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn the_seed_example_reproduces() {
        // 6.4.2's example: 200 万元 at 4.35 ‰ a month for 12 months, 10 % float.
        let rate = monthly_rate(
            ten_thousandths("3.95").unwrap(),
            ten_thousandths("10").unwrap(),
        );
        assert_eq!(rate, 435, "3.95 ‰ × 1.10 = 4.345 ‰, half up to 4.35 ‰");
        assert_eq!(two_decimals(rate), "4.35");
        assert_eq!(interest(200_000_000, rate, 12), 10_440_000);
        assert_eq!(last_repay_date(d("2026-03-01"), 12), Some(d("2027-02-28")));
    }

    #[test]
    fn interest_rounds_once_half_up() {
        // 1 000.01 元 × 4.35 ‰ × 1 = 4.3500435 元 → 435 fen; 1.15 元 × 4.35 ‰ × 1 = 0.50025 fen → 1.
        assert_eq!(interest(100_001, 435, 1), 435);
        assert_eq!(interest(115, 435, 1), 1);
        assert_eq!(interest(114, 435, 1), 0);
        // No rounding per month: 3 months of 0.4959 fen is 1.4877 → 1, not 0 + 0 + 0.
        assert_eq!(interest(114, 435, 3), 1);
    }

    #[test]
    fn month_ends_clamp() {
        assert_eq!(last_repay_date(d("2026-01-31"), 1), Some(d("2026-02-27")));
        assert_eq!(add_months(d("2028-01-31"), 1), Some(d("2028-02-29")));
        assert_eq!(last_repay_date(d("2026-12-15"), 3), Some(d("2027-03-14")));
    }

    #[test]
    fn the_schedule_adds_up() {
        let s = schedule(d("2026-03-01"), 12, 200_000_000, 10_440_001, 200_000);
        assert_eq!(s.len(), 12);
        assert_eq!(s.iter().map(|i| i.interest_fen).sum::<i64>(), 10_440_001);
        assert_eq!(s.iter().map(|i| i.principal_fen).sum::<i64>(), 200_000_000);
        assert_eq!(s[0].fee_fen, 200_000);
        assert_eq!(s[11].date, "2027-02-28");
        assert_eq!(s[0].date, "2026-03-31");
    }

    #[test]
    fn repayments_cover_fee_then_interest_then_principal() {
        let owed = Owed {
            fee_fen: 100,
            interest_fen: 1_000,
            principal_fen: 10_000,
        };
        assert_eq!(
            owed.apply(600),
            Applied {
                fee_fen: 100,
                interest_fen: 500,
                principal_fen: 0
            }
        );
        assert_eq!(owed.apply(owed.total()).principal_fen, 10_000);
    }

    #[test]
    fn decimals_print() {
        assert_eq!(four_decimals(100_000), "10.00");
        assert_eq!(four_decimals(39_500), "3.95");
        assert_eq!(four_decimals(36_250), "3.625");
    }
}
