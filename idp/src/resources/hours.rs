//! Opening hours and the slot grid, in China time (UTC+8, no daylight saving). Slots are counted
//! from China midnight in steps of the resource's slot length, so every booking of a resource
//! lies on one grid whatever its opening hours become.

use serde_json::Value;

/// Seconds China time is ahead of UTC.
const CHINA_OFFSET: i64 = 8 * 3600;
const DAY: i64 = 86_400;

/// The slot lengths a resource may have (minutes).
pub const SLOT_LENGTHS: &[i64] = &[15, 30, 60, 90, 120, 180, 240];

/// Seven days' opening hours, Monday first: `None` is closed, else minutes from midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours(pub [Option<(i64, i64)>; 7]);

pub const WEEKDAYS_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
pub const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl OpeningHours {
    /// Reads seven `"HH:MM-HH:MM"` or `""` texts, each boundary on the slot grid.
    pub fn parse(texts: &[String], slot_minutes: i64) -> Result<Self, String> {
        if texts.len() != 7 {
            return Err("opening_hours 须为 7 项（周一至周日）/ opening_hours has seven entries, Monday first".into());
        }
        let mut days = [None; 7];
        for (i, text) in texts.iter().enumerate() {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let bad = || {
                format!(
                    "{} 的开放时间“{text}”应形如 09:00-18:00，且在 {slot_minutes} 分钟的时段边界上 / {}'s hours `{text}` must look like 09:00-18:00 on {slot_minutes}-minute boundaries",
                    WEEKDAYS_ZH[i], WEEKDAYS_EN[i]
                )
            };
            let (open, close) = text.split_once('-').ok_or_else(bad)?;
            let open = minutes(open).ok_or_else(bad)?;
            let close = minutes(close).ok_or_else(bad)?;
            if open >= close || open % slot_minutes != 0 || close % slot_minutes != 0 {
                return Err(bad());
            }
            days[i] = Some((open, close));
        }
        Ok(OpeningHours(days))
    }

    pub fn from_json(text: &str) -> Self {
        let texts: Vec<String> = serde_json::from_str(text).unwrap_or_default();
        // Stored hours were checked when written; slot length 1 accepts any of them.
        OpeningHours::parse(&texts, 1).unwrap_or(OpeningHours([None; 7]))
    }

    pub fn texts(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|d| match d {
                Some((o, c)) => format!("{}-{}", hhmm(*o), hhmm(*c)),
                None => String::new(),
            })
            .collect()
    }

    pub fn to_json(&self) -> String {
        Value::from(self.texts()).to_string()
    }

    /// Open minutes in a week.
    pub fn minutes_per_week(&self) -> i64 {
        self.0.iter().flatten().map(|(o, c)| c - o).sum()
    }

    /// The hours of the day that starts at `day` (a China midnight).
    pub fn on(&self, day: i64) -> Option<(i64, i64)> {
        self.0[weekday(day)]
    }
}

/// `"09:30"` → 570.
pub fn minutes(text: &str) -> Option<i64> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

pub fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The China midnight at or before `unix`.
pub fn day_start(unix: i64) -> i64 {
    (unix + CHINA_OFFSET).div_euclid(DAY) * DAY - CHINA_OFFSET
}

/// Monday = 0 … Sunday = 6 of the China day holding `unix`.
pub fn weekday(unix: i64) -> usize {
    // 1970-01-01 was a Thursday (3).
    ((unix + CHINA_OFFSET).div_euclid(DAY) + 3).rem_euclid(7) as usize
}

/// `"2026-12-08"` → its China midnight.
pub fn parse_date(text: &str) -> Option<i64> {
    let date = time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    let midnight = date.midnight().assume_utc().unix_timestamp();
    Some(midnight - CHINA_OFFSET)
}

/// `"2026-12-08 09:00"` (China time) → Unix seconds.
pub fn parse_china_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, clock) = text.split_once([' ', 'T'])?;
    Some(parse_date(date)? + minutes(clock.get(..5)?)? * 60)
}

/// A slot of the week, free or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
    pub free: bool,
}

/// The slots of `days` days from the China midnight `from`: every slot inside the opening
/// hours, free unless claimed (`claimed` is sorted) or already begun at `now`.
pub fn slots(
    hours: &OpeningHours,
    slot_minutes: i64,
    from: i64,
    days: i64,
    claimed: &[i64],
    now: i64,
) -> Vec<Vec<Slot>> {
    let step = slot_minutes * 60;
    (0..days)
        .map(|d| {
            let day = from + d * DAY;
            let Some((open, close)) = hours.on(day) else {
                return Vec::new();
            };
            let mut out = Vec::new();
            let mut start = day + open * 60;
            while start + step <= day + close * 60 {
                let taken = claimed.binary_search(&start).is_ok();
                out.push(Slot {
                    start,
                    end: start + step,
                    free: !taken && start > now,
                });
                start += step;
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(text: &str) -> Vec<String> {
        let mut v = vec![text.to_owned(); 5];
        v.extend([String::new(), String::new()]);
        v
    }

    #[test]
    fn hours_are_on_the_grid() {
        let h = OpeningHours::parse(&week("09:00-18:00"), 60).unwrap();
        assert_eq!(h.minutes_per_week(), 5 * 9 * 60);
        assert!(OpeningHours::parse(&week("09:30-18:00"), 60).is_err());
        assert!(OpeningHours::parse(&week("09:30-18:00"), 30).is_ok());
        assert!(OpeningHours::parse(&week("18:00-09:00"), 60).is_err());
        assert!(OpeningHours::parse(&week("9:00-18:00"), 60).is_err());
        assert!(OpeningHours::parse(&week("09:00-25:00"), 60).is_err());
        assert!(OpeningHours::parse(&week("00:00-24:00"), 60).is_ok());
        assert!(OpeningHours::parse(&[String::new()], 60).is_err());
        assert_eq!(OpeningHours::from_json(&h.to_json()), h);
    }

    #[test]
    fn china_days_and_weekdays() {
        // 2026-12-07 is a Monday; its China midnight is 2026-12-06 16:00 UTC.
        let monday = parse_date("2026-12-07").unwrap();
        assert_eq!(monday, 1_796_601_600 - 8 * 3600);
        assert_eq!(weekday(monday), 0);
        assert_eq!(weekday(monday + DAY * 6 + 3600), 6);
        assert_eq!(day_start(monday + 23 * 3600), monday);
        assert_eq!(
            parse_china_time("2026-12-07 09:30"),
            Some(monday + 9 * 3600 + 1800)
        );
        assert_eq!(parse_date("2026-02-30"), None);
    }

    #[test]
    fn a_week_of_slots_marks_claimed_and_past_ones() {
        let h = OpeningHours::parse(&week("09:00-12:00"), 60).unwrap();
        let monday = parse_date("2026-12-07").unwrap();
        let nine = monday + 9 * 3600;
        let week = slots(&h, 60, monday, 7, &[nine + 3600], nine);
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].len(), 3);
        // 09:00 has begun, 10:00 is claimed, 11:00 is free.
        assert_eq!(
            week[0].iter().map(|s| s.free).collect::<Vec<_>>(),
            [false, false, true]
        );
        assert!(week[5].is_empty() && week[6].is_empty());
    }
}
