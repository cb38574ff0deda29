//! Time as the practices live it: stored in UTC, shown and scheduled in Europe/London.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

/// A moment as a person in England reads it: "26 Nov 2026, 14:05".
pub fn show_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

/// The London calendar date of a moment: "26 Nov 2026".
pub fn show_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn british_summer_time_is_applied() {
        // 23:30 UTC on 30 June is already 1 July in London (BST, UTC+1).
        let t = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
        assert_eq!(show_date(t), "1 Jul 2026");
        assert_eq!(show_datetime(t), "1 Jul 2026, 00:30");
        // In winter London is on UTC.
        let t = Utc.with_ymd_and_hms(2026, 11, 26, 14, 5, 0).unwrap();
        assert_eq!(show_datetime(t), "26 Nov 2026, 14:05");
    }
}
