//! Money is integer fen (分). Amounts arrive as the seed writes them: 元 with two decimals for
//! rewards and orders, 万元 with two decimals for a project's target.

/// `"199.00"` 元 → 19900 fen; at most two decimals, not negative.
pub fn yuan_to_fen(text: &str) -> Option<i64> {
    scaled(text, 100)
}

/// `"20.00"` 万元 (200,000 元) → 20,000,000 fen.
pub fn wan_to_fen(text: &str) -> Option<i64> {
    scaled(text, 1_000_000)
}

fn scaled(text: &str, unit: i64) -> Option<i64> {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: i64 = int.parse().ok()?;
    let cents: i64 = format!("{frac:0<2}").parse().ok()?;
    int.checked_mul(unit)?.checked_add(cents * unit / 100)
}

/// 19900 → `"199.00"`.
pub fn fen_to_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// 20,000,000 → `"20.00"` (万元, rounded down to the seed's two decimals).
pub fn fen_to_wan(fen: i64) -> String {
    format!("{}.{:02}", fen / 1_000_000, (fen % 1_000_000) / 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact() {
        assert_eq!(yuan_to_fen("199.00"), Some(19_900));
        assert_eq!(yuan_to_fen("0.5"), Some(50));
        assert_eq!(yuan_to_fen("12"), Some(1_200));
        assert_eq!(yuan_to_fen("1.234"), None);
        assert_eq!(yuan_to_fen("-1"), None);
        assert_eq!(wan_to_fen("20.00"), Some(20_000_000));
        assert_eq!(wan_to_fen("0.01"), Some(10_000));
        assert_eq!(fen_to_yuan(19_950), "199.50");
        assert_eq!(fen_to_wan(20_000_000), "20.00");
    }
}
