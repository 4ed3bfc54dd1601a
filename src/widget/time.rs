//! Times and dates for the list, the bubbles and the day separators, in the user's local time
//! zone. Every function has a `_in` twin taking the zone, so tests pin one.

use chrono::{DateTime, Local, NaiveDate, TimeZone};

/// A calendar day in the local time zone (what a day separator shows).
pub type Day = NaiveDate;

/// The zone-aware time of `ms` (ms since the Unix epoch); out-of-range values clamp to the epoch.
fn at<Tz: TimeZone>(ms: i64, tz: &Tz) -> DateTime<Tz> {
    let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    utc.with_timezone(tz)
}

/// The local calendar day of a time in ms.
pub fn day(ms: i64) -> Day {
    day_in(ms, &Local)
}

/// The calendar day of a time in ms, in `tz`.
pub fn day_in<Tz: TimeZone>(ms: i64, tz: &Tz) -> Day {
    at(ms, tz).date_naive()
}

/// Local `HH:MM`.
pub fn hm(ms: i64) -> String {
    hm_in(ms, &Local)
}

/// `HH:MM` in `tz`.
pub fn hm_in<Tz: TimeZone>(ms: i64, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    at(ms, tz).format("%H:%M").to_string()
}

/// `YYYY-MM-DD`: unambiguous in every language the app ships.
pub fn date(day: Day) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// What a day separator says about `day`, seen from `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayLabel {
    /// The same day as now.
    Today,
    /// The day before.
    Yesterday,
    /// Any other day: its date.
    Date(String),
}

/// The separator label of `day` when it is `today`.
pub fn day_label(day: Day, today: Day) -> DayLabel {
    if day == today {
        DayLabel::Today
    } else if today.pred_opt() == Some(day) {
        DayLabel::Yesterday
    } else {
        DayLabel::Date(date(day))
    }
}

/// The list's time: local `HH:MM` today, the date otherwise.
pub fn list_time(ms: i64, now_ms: i64) -> String {
    list_time_in(ms, now_ms, &Local)
}

/// The list's time in `tz`.
pub fn list_time_in<Tz: TimeZone>(ms: i64, now_ms: i64, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    if day_in(ms, tz) == day_in(now_ms, tz) {
        hm_in(ms, tz)
    } else {
        date(day_in(ms, tz))
    }
}

/// Now, in ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    // 2025-11-23 00:00:00 UTC.
    const MIDNIGHT_UTC: i64 = 1_763_856_000_000;

    #[test]
    fn utc_dates() {
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(date(day_in(0, &utc)), "1970-01-01");
        assert_eq!(date(day_in(MIDNIGHT_UTC, &utc)), "2025-11-23");
        assert_eq!(hm_in(MIDNIGHT_UTC + 3_723_000, &utc), "01:02");
    }

    #[test]
    fn local_zone_moves_hours_and_days() {
        // 23:30 UTC on the 22nd is 00:30 on the 23rd in UTC+1 and 18:30 on the 22nd in UTC-5.
        let t = MIDNIGHT_UTC - 30 * 60_000;
        let berlin = FixedOffset::east_opt(3600).unwrap();
        let new_york = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(hm_in(t, &berlin), "00:30");
        assert_eq!(date(day_in(t, &berlin)), "2025-11-23");
        assert_eq!(hm_in(t, &new_york), "18:30");
        assert_eq!(date(day_in(t, &new_york)), "2025-11-22");
        // The list shows the hour only when the local day matches.
        assert_eq!(list_time_in(t, MIDNIGHT_UTC + 3_600_000, &berlin), "00:30");
        assert_eq!(
            list_time_in(t, MIDNIGHT_UTC + 3_600_000, &new_york),
            "18:30"
        );
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(
            list_time_in(t, MIDNIGHT_UTC + 3_600_000, &utc),
            "2025-11-22"
        );
    }

    #[test]
    fn separators() {
        let today = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(day_label(today, today), DayLabel::Today);
        let yesterday = NaiveDate::from_ymd_opt(2025, 2, 28).unwrap();
        assert_eq!(day_label(yesterday, today), DayLabel::Yesterday);
        let older = NaiveDate::from_ymd_opt(2025, 2, 27).unwrap();
        assert_eq!(
            day_label(older, today),
            DayLabel::Date("2025-02-27".to_owned())
        );
    }

    #[test]
    fn out_of_range_does_not_panic() {
        let utc = FixedOffset::east_opt(0).unwrap();
        assert_eq!(date(day_in(i64::MAX, &utc)), "1970-01-01");
    }
}
