//! A person's due dates as an iCalendar feed (RFC 5545) that their calendar subscribes to: one
//! all-day event per date, saying what is due and where, never who or what about (no names,
//! no incident details), with a link to the page.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// One due date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDate {
    /// Stable across refreshes, so a calendar updates the event instead of adding another.
    pub uid: String,
    pub on: NaiveDate,
    /// What is due, in a line: "Risk action due (RSK-0004)".
    pub summary: String,
    /// The practice it is in.
    pub practice: String,
    /// The page to open, as a full URL.
    pub url: String,
}

/// The next DSPT submission deadline (30 June) on or after `today`.
pub fn next_dspt_deadline(today: NaiveDate) -> NaiveDate {
    let this_year = NaiveDate::from_ymd_opt(today.year(), 6, 30).expect("30 June exists");
    if today <= this_year {
        this_year
    } else {
        NaiveDate::from_ymd_opt(today.year() + 1, 6, 30).expect("30 June exists")
    }
}

/// The feed: a VCALENDAR of all-day VEVENTs, lines ending CRLF and folded at 75 octets.
pub fn render(name: &str, dates: &[DueDate], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Custodian//Due dates//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push(&mut out, line);
    }
    push(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for d in dates {
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}", text(&d.uid)));
        push(&mut out, &format!("DTSTAMP:{stamp}"));
        push(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", d.on.format("%Y%m%d")),
        );
        let next = d.on.succ_opt().unwrap_or(d.on);
        push(
            &mut out,
            &format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")),
        );
        push(&mut out, &format!("SUMMARY:{}", text(&d.summary)));
        push(&mut out, &format!("LOCATION:{}", text(&d.practice)));
        push(&mut out, &format!("DESCRIPTION:{}", text(&d.url)));
        push(&mut out, &format!("URL:{}", d.url));
        push(&mut out, "TRANSP:TRANSPARENT");
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

/// A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped; other
/// control characters dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so that no line is longer than 75 octets (a fold never splits
/// a character).
fn push(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_dspt_deadline_is_the_next_30_june() {
        assert_eq!(next_dspt_deadline(day(2026, 12, 6)), day(2027, 6, 30));
        assert_eq!(next_dspt_deadline(day(2027, 6, 30)), day(2027, 6, 30));
        assert_eq!(next_dspt_deadline(day(2027, 1, 1)), day(2027, 6, 30));
    }

    #[test]
    fn text_is_escaped_and_long_lines_are_folded_at_75_octets() {
        let due = DueDate {
            uid: "risk-action-1@custodian".into(),
            on: day(2026, 12, 31),
            summary: format!("Review, due; now\\then\n{}", "é".repeat(60)),
            practice: "Riverside Medical Centre".into(),
            url: "https://custodian.example/practices/1/risks".into(),
        };
        let stamp = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).unwrap();
        let ics = render("Custodian: due dates", &[due], stamp);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"));
        assert!(ics.contains("SUMMARY:Review\\, due\\; now\\\\then\\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n'));
        }
        // Unfolded, the summary is whole again.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&"é".repeat(60)));
    }
}
