//! Every amount the financing products compute, in integer fen. Rates are kept as parts per
//! million (ppm: 0.02 % = 200 ppm, 2 % = 20 000 ppm) so no rate is ever a float; each result
//! is rounded once, at the end, to the fen, half up (0.5 fen → 1 fen).

/// `numerator ÷ denominator` rounded to the nearest whole, halves up (both non-negative).
pub fn round_half_up(numerator: i128, denominator: i128) -> i64 {
    if denominator <= 0 {
        return 0;
    }
    ((2 * numerator + denominator) / (2 * denominator)) as i64
}

/// A percentage as written in the settings (`"0.02"`, `"2"`, `"95"`) in ppm; at most four
/// decimals, never negative.
pub fn percent_to_ppm(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || whole.len() > 6
        || fraction.len() > 4
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits = fraction.to_owned();
    while digits.len() < 4 {
        digits.push('0');
    }
    Some(whole.parse::<i64>().ok()? * 10_000 + digits.parse::<i64>().ok()?)
}

/// `amount × ppm ÷ 1 000 000`, half up.
pub fn share(amount_fen: i64, ppm: i64) -> i64 {
    round_half_up(amount_fen as i128 * ppm as i128, 1_000_000)
}

/// The rules of the bridge fund.
#[derive(Debug, Clone, Copy)]
pub struct BridgeTerms {
    /// At most this share of the renewal amount (ppm).
    pub renewal_share_ppm: i64,
    /// At most this much (fen).
    pub ceiling_fen: i64,
    /// The daily fee of the first days (ppm a day) …
    pub early_fee_ppm: i64,
    /// … for this many days …
    pub early_days: i64,
    /// … and after them (ppm a day).
    pub late_fee_ppm: i64,
}

/// How much of a bridge may be disbursed: what was asked for, at most the share of the renewal
/// (rounded down: a limit is never passed by rounding) and at most the ceiling.
pub fn bridge_amount(requested_fen: i64, renewal_fen: i64, t: &BridgeTerms) -> i64 {
    let of_renewal = (renewal_fen as i128 * t.renewal_share_ppm as i128 / 1_000_000) as i64;
    requested_fen.min(of_renewal).min(t.ceiling_fen).max(0)
}

/// The fee of a bridge of `principal_fen` used for `days` days: the first `early_days` at the
/// early rate, every later day at the late rate; the sum of day-rates is applied once and
/// rounded to the fen, half up.
pub fn bridge_fee(principal_fen: i64, days: i64, t: &BridgeTerms) -> i64 {
    let days = days.max(1);
    let early = days.min(t.early_days);
    let late = (days - t.early_days).max(0);
    let ppm_days = early as i128 * t.early_fee_ppm as i128 + late as i128 * t.late_fee_ppm as i128;
    round_half_up(principal_fen as i128 * ppm_days, 1_000_000)
}

/// How a bad loan's loss is shared and how much the pool pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Paid from the pool: the region's and the county's parts.
    pub compensation_fen: i64,
    pub region_fen: i64,
    pub county_fen: i64,
    /// Borne by the bank.
    pub bank_fen: i64,
}

/// The sharing rules of the risk compensation pool (ppm of the loss).
#[derive(Debug, Clone, Copy)]
pub struct SplitTerms {
    pub region_ppm: i64,
    pub county_ppm: i64,
    /// The pool pays at most this share of the bad loan's principal.
    pub cap_ppm: i64,
}

/// The region and county bear their shares of `loss_fen` from the pool, together at most the
/// cap's share of it; if the cap binds, both shrink in proportion (the region's part rounded
/// half up, the county's the rest). The bank bears what the pool does not pay.
pub fn compensation_split(loss_fen: i64, t: &SplitTerms) -> Split {
    let uncapped = share(loss_fen, t.region_ppm + t.county_ppm);
    let compensation = uncapped.min(share(loss_fen, t.cap_ppm));
    let region = round_half_up(
        compensation as i128 * t.region_ppm as i128,
        (t.region_ppm + t.county_ppm) as i128,
    );
    Split {
        compensation_fen: compensation,
        region_fen: region,
        county_fen: compensation - region,
        bank_fen: loss_fen - compensation,
    }
}

/// What of a recovered sum goes back to the pool: its share of the loss it bore, half up.
pub fn recovery_to_pool(recovered_fen: i64, compensation_fen: i64, loss_fen: i64) -> i64 {
    round_half_up(
        recovered_fen as i128 * compensation_fen as i128,
        loss_fen.max(1) as i128,
    )
    .min(compensation_fen)
}

/// A leasing subsidy for one device: lease amount × yearly rate × months ÷ 12, half up.
pub fn leasing_subsidy(price_fen: i64, months: i64, yearly_ppm: i64) -> i64 {
    round_half_up(
        price_fen as i128 * yearly_ppm as i128 * months as i128,
        1_000_000 * 12,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMS: BridgeTerms = BridgeTerms {
        renewal_share_ppm: 950_000,
        ceiling_fen: 1_000_000_000,
        early_fee_ppm: 200,
        early_days: 5,
        late_fee_ppm: 400,
    };

    #[test]
    fn rounding_is_to_the_fen_half_up() {
        assert_eq!(round_half_up(5, 10), 1);
        assert_eq!(round_half_up(4, 10), 0);
        assert_eq!(round_half_up(15, 10), 2);
        assert_eq!(round_half_up(25, 10), 3);
        assert_eq!(share(1, 500_000), 1); // 0.5 fen → 1 fen
        assert_eq!(share(1, 499_999), 0);
    }

    #[test]
    fn settings_percentages_become_ppm() {
        assert_eq!(percent_to_ppm("0.02"), Some(200));
        assert_eq!(percent_to_ppm("2"), Some(20_000));
        assert_eq!(percent_to_ppm("95"), Some(950_000));
        assert_eq!(percent_to_ppm("0.0001"), Some(1));
        assert_eq!(percent_to_ppm("0.00001"), None);
        assert_eq!(percent_to_ppm("-1"), None);
        assert_eq!(percent_to_ppm("1e3"), None);
    }

    #[test]
    fn a_bridge_is_at_most_95_percent_of_the_renewal_and_the_ceiling() {
        // 300 万 asked against a 300 万 renewal: 285 万.
        assert_eq!(bridge_amount(300_000_000, 300_000_000, &TERMS), 285_000_000);
        // 200 万 asked: 200 万.
        assert_eq!(bridge_amount(200_000_000, 500_000_000, &TERMS), 200_000_000);
        // 1 200 万 asked against 2 000 万: the 1 000 万 ceiling.
        assert_eq!(
            bridge_amount(1_200_000_000, 2_000_000_000, &TERMS),
            1_000_000_000
        );
        // 1 fen of renewal: 0.95 fen, rounded down to 0.
        assert_eq!(bridge_amount(1, 1, &TERMS), 0);
    }

    #[test]
    fn bridge_fees_over_3_5_and_8_days() {
        // 3 000 000 元 for 3 days: 3 × 0.02 % = 0.06 % = 1 800 元.
        assert_eq!(bridge_fee(300_000_000, 3, &TERMS), 180_000);
        // 5 days: 0.10 % = 3 000 元.
        assert_eq!(bridge_fee(300_000_000, 5, &TERMS), 300_000);
        // 8 days: 5 × 0.02 % + 3 × 0.04 % = 0.22 % = 6 600 元.
        assert_eq!(bridge_fee(300_000_000, 8, &TERMS), 660_000);
        // 1 234 567.89 元 for 3 days: 740.740734 元 → 740.74 元.
        assert_eq!(bridge_fee(123_456_789, 3, &TERMS), 74_074);
        // A bridge returned the day it went out counts one day.
        assert_eq!(bridge_fee(300_000_000, 0, &TERMS), 60_000);
    }

    #[test]
    fn the_pool_pays_the_region_and_county_shares_up_to_the_cap() {
        let terms = SplitTerms {
            region_ppm: 400_000,
            county_ppm: 400_000,
            cap_ppm: 500_000,
        };
        // 100 万 lost: 80 % would be 80 万, the 50 % cap makes it 50 万, 25 万 each; the bank
        // bears 50 万.
        let split = compensation_split(100_000_000, &terms);
        assert_eq!(
            split,
            Split {
                compensation_fen: 50_000_000,
                region_fen: 25_000_000,
                county_fen: 25_000_000,
                bank_fen: 50_000_000
            }
        );
        // Without a binding cap: 40 / 40 / 20.
        let loose = SplitTerms {
            cap_ppm: 1_000_000,
            ..terms
        };
        let split = compensation_split(100_000_001, &loose);
        assert_eq!(split.compensation_fen, 80_000_001); // 80 000 000.8 → …01
        assert_eq!(split.region_fen, 40_000_001); // 40 000 000.5 → …01
        assert_eq!(split.county_fen, 40_000_000);
        assert_eq!(split.bank_fen, 20_000_000);
        // A recovery of 30 万 on that 100 万 loss with 50 万 compensated: 15 万 to the pool.
        assert_eq!(
            recovery_to_pool(30_000_000, 50_000_000, 100_000_000),
            15_000_000
        );
    }

    #[test]
    fn leasing_subsidies_count_a_part_year_by_its_months() {
        // 180 万 for 3 years at 2 %: 10.8 万.
        assert_eq!(leasing_subsidy(180_000_000, 36, 20_000), 10_800_000);
        // 180 万 for 1 year and 5 months: 180 万 × 2 % × 17 ⁄ 12 = 51 000 元.
        assert_eq!(leasing_subsidy(180_000_000, 17, 20_000), 5_100_000);
        // 1 元 for 7 months: 0.011666… 元 = 1.1666 fen → 1 fen.
        assert_eq!(leasing_subsidy(100, 7, 20_000), 1);
    }
}
