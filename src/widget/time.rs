//! Times and dates for the list and the day separators (UTC: the standard library has no time
//! zone database, and the app adds no dependency for it).

const DAY_MS: i64 = 86_400_000;

/// The day number (days since 1970-01-01) of a time in ms.
pub fn day(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// `HH:MM`.
pub fn hm(ms: i64) -> String {
    let minutes = ms.rem_euclid(DAY_MS) / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `YYYY-MM-DD` of a day number (Howard Hinnant's civil-from-days).
pub fn date(day_number: i64) -> String {
    let z = day_number + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The list's time: `HH:MM` today, the date otherwise.
pub fn list_time(ms: i64, now_ms: i64) -> String {
    if day(ms) == day(now_ms) {
        hm(ms)
    } else {
        date(day(ms))
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

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(day(1_763_856_000_000)), "2025-11-23");
        assert_eq!(hm(1_763_856_000_000 + 3_723_000), "01:02");
    }
}
