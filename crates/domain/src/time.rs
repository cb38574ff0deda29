//! Time as the practices live it: stored in UTC, shown and scheduled in Europe/London.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// The earliest and latest years a date may have (a typo such as `26-01-01` or `20266-01-01`
/// is refused rather than stored as the year 26 or 20266).
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2199;

/// The one date parser, for forms, the API, imports and the CLI: exactly `YYYY-MM-DD` (four-digit
/// year from [`FIRST_YEAR`] to [`LAST_YEAR`], two-digit month and day, no sign, no spaces inside),
/// and a real day of the calendar. Surrounding white space is ignored.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.trim().as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let year = num(0..4) as i32;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, num(5..7), num(8..10))
}

/// A date as people in England type it into a form: day, month, year, separated by `/`, `-` or
/// `.` (`31/12/2026`, `1/2/2027`). `Ok(None)`: not written that way at all (leave it to
/// [`parse_date`]); `Err`: written that way but not a real day, with why, to show beside the
/// field. The web forms turn such dates into `YYYY-MM-DD` before any rule reads them.
pub fn parse_uk_date(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return Ok(None);
    };
    let digits = |p: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(d, 1, 2) && digits(m, 1, 2) && digits(y, 4, 4)) {
        return Ok(None);
    }
    let (day, month, year): (u32, u32, i32) = (
        d.parse().unwrap_or(0),
        m.parse().unwrap_or(0),
        y.parse().unwrap_or(0),
    );
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(format!(
            "{s} is not a date Custodian keeps: the year must be from {FIRST_YEAR} to {LAST_YEAR}"
        ));
    }
    if !(1..=12).contains(&month) {
        return Err(format!(
            "{s} is not a real date: the month must be from 1 to 12 (dates are day/month/year)"
        ));
    }
    NaiveDate::from_ymd_opt(year, month, day)
        .map(Some)
        .ok_or_else(|| {
            let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a month's first day");
            let days = first
                .checked_add_months(chrono::Months::new(1))
                .map_or(31, |next| (next - first).num_days());
            format!(
                "{s} is not a real date: {} has {days} days",
                first.format("%B %Y")
            )
        })
}

/// The one parser for a moment: `YYYY-MM-DDTHH:MM` (what a browser's date-and-time field
/// sends), read as Europe/London time (in the hour the clocks go back, the first of the two), or
/// RFC 3339 with its offset (`2026-12-06T14:05:00Z`), as the API may send. The date part is held
/// to [`parse_date`]'s rules.
pub fn parse_moment(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() > 10 && s.as_bytes()[10] == b'T' && parse_date(&s[..10]).is_some() {
        if let Ok(at) = DateTime::parse_from_rfc3339(s) {
            return Some(at.with_timezone(&Utc));
        }
        let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok()?;
        use chrono::TimeZone;
        return London
            .from_local_datetime(&local)
            .earliest()
            // A moment that does not exist in London (the hour the clocks go forward) is read
            // as the hour after it.
            .or_else(|| {
                London
                    .from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc));
    }
    None
}

/// The first moment of a London calendar day.
pub fn london_midnight(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    London
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// A moment as a browser's date-and-time field shows it (London time).
pub fn moment_field(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A moment as a person in England reads it: "26 Nov 2026, 14:05".
pub fn show_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&London)
        .format("%-d %b %Y, %H:%M")
        .to_string()
}

/// The London calendar date of a moment: "26 Nov 2026".
pub fn show_date(at: DateTime<Utc>) -> String {
    show_day(at.with_timezone(&London).date_naive())
}

/// A calendar date as every page shows one: "6 Dec 2026".
pub fn show_day(day: chrono::NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_typed_the_english_way_are_read_or_named_as_not_real() {
        let d = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(parse_uk_date("31/12/2026"), Ok(d(2026, 12, 31)));
        assert_eq!(parse_uk_date(" 1/2/2027 "), Ok(d(2027, 2, 1)));
        assert_eq!(parse_uk_date("06.12.2026"), Ok(d(2026, 12, 6)));
        assert_eq!(
            parse_uk_date("31/02/2026"),
            Err("31/02/2026 is not a real date: February 2026 has 28 days".into())
        );
        assert!(
            parse_uk_date("12/31/2026")
                .unwrap_err()
                .contains("month must be")
        );
        assert!(
            parse_uk_date("1/1/1066")
                .unwrap_err()
                .contains("year must be")
        );
        // Not written that way: left to the ISO rule.
        for other in ["2026-12-31", "", "next Tuesday", "31/12/26", "1/1/2026/1"] {
            assert_eq!(parse_uk_date(other), Ok(None), "{other}");
        }
    }

    #[test]
    fn a_moment_is_london_time_or_carries_its_offset() {
        let at = |s: &str| parse_moment(s).map(|t| t.to_rfc3339());
        // Winter: London is UTC. Summer: an hour ahead.
        assert_eq!(at("2026-12-06T14:05").unwrap(), "2026-12-06T14:05:00+00:00");
        assert_eq!(at("2026-07-01T09:30").unwrap(), "2026-07-01T08:30:00+00:00");
        assert_eq!(
            at("2026-07-01T09:30:00Z").unwrap(),
            "2026-07-01T09:30:00+00:00"
        );
        // The hour the clocks go back happens twice: the first; the hour they skip: the next.
        assert_eq!(at("2026-10-25T01:30").unwrap(), "2026-10-25T00:30:00+00:00");
        assert_eq!(at("2026-03-29T01:30").unwrap(), "2026-03-29T01:30:00+00:00");
        for bad in [
            "",
            "2026-12-06",
            "06/12/2026 14:05",
            "2026-13-01T10:00",
            "0026-01-01T10:00",
            "2026-12-06T25:00",
            "2026-12-06 14:05",
        ] {
            assert_eq!(at(bad), None, "{bad}");
        }
        let t = parse_moment("2026-07-01T09:30").unwrap();
        assert_eq!(moment_field(t), "2026-07-01T09:30");
    }

    #[test]
    fn dates_are_four_digit_years_with_two_digit_months_and_days() {
        assert_eq!(
            parse_date(" 2026-01-31 "),
            NaiveDate::from_ymd_opt(2026, 1, 31)
        );
        assert_eq!(
            parse_date("2028-02-29"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        for loose in [
            "26-01-01",
            "-2026-01-01",
            "+2026-01-01",
            "2026-1-1",
            "2026-01-1",
            "20266-01-01",
            "2026/01/01",
            "01-01-2026",
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "1899-12-31",
            "2200-01-01",
            "2026-01-01T00:00",
            "2026 -01-01",
            "",
            "２０２６-01-01",
            "2026-01-0\u{0}",
            "+026-01-01",
            "0x26-01-01",
        ] {
            assert_eq!(parse_date(loose), None, "{loose:?}");
        }
    }

    #[test]
    fn every_day_in_range_reads_back_as_written() {
        let mut d = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap();
        while d <= last {
            assert_eq!(parse_date(&d.format("%Y-%m-%d").to_string()), Some(d));
            d = d.succ_opt().unwrap();
        }
    }
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
