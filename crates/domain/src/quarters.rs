//! Reporting quarters: calendar quarters by default, or quarters of a year that starts in another
//! month (April for the NHS financial year). Plain date arithmetic, no I/O.

use chrono::{Datelike, Months, NaiveDate};

use crate::Invalid;

/// A quarter of a reporting year that starts in `first_month`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// The calendar year in which the reporting year starts.
    pub year: i32,
    /// 1 to 4.
    pub number: u8,
    /// The month the reporting year starts in: 1 for calendar quarters, 4 for April.
    pub first_month: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Quarter {
    /// The quarter a date falls in.
    pub fn containing(date: NaiveDate, first_month: u32) -> Quarter {
        let first_month = first_month.clamp(1, 12);
        let months_in = (date.month() + 12 - first_month) % 12;
        let year = if date.month() >= first_month {
            date.year()
        } else {
            date.year() - 1
        };
        Quarter {
            year,
            number: (months_in / 3 + 1) as u8,
            first_month,
        }
    }

    /// Reads a quarter's key, `2026-Q3`.
    pub fn parse(key: &str, first_month: u32) -> Option<Quarter> {
        let (y, q) = key.trim().split_once("-Q")?;
        let year: i32 = y.parse().ok()?;
        let number: u8 = q.parse().ok()?;
        ((1..=4).contains(&number) && (1900..=9999).contains(&year)).then_some(Quarter {
            year,
            number,
            first_month: first_month.clamp(1, 12),
        })
    }

    /// The key used in addresses and storage: `2026-Q3`.
    pub fn key(&self) -> String {
        format!("{}-Q{}", self.year, self.number)
    }

    /// The first day.
    pub fn start(&self) -> NaiveDate {
        let year_start = NaiveDate::from_ymd_opt(self.year, self.first_month, 1).expect("a month");
        year_start + Months::new(3 * u32::from(self.number - 1))
    }

    /// The last day.
    pub fn end(&self) -> NaiveDate {
        (self.start() + Months::new(3)).pred_opt().expect("a day")
    }

    pub fn previous(&self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
                ..*self
            }
        } else {
            Quarter {
                number: self.number - 1,
                ..*self
            }
        }
    }

    /// As people say it: `Q3 2026 (July to September)`, or for a year starting in April,
    /// `Q2 2026/27 (July to September)`.
    pub fn label(&self) -> String {
        let year = if self.first_month == 1 {
            self.year.to_string()
        } else {
            format!("{}/{:02}", self.year, (self.year + 1) % 100)
        };
        let first = MONTHS[self.start().month0() as usize];
        let last = MONTHS[self.end().month0() as usize];
        format!("Q{} {year} ({first} to {last})", self.number)
    }

    /// Whether a report can be made for this quarter on `today`: not before it has started.
    pub fn check_reportable(&self, today: NaiveDate) -> Result<(), Invalid> {
        if self.start() > today {
            return Err(Invalid::one(
                "quarter",
                format!(
                    "{} has not started yet: choose this quarter or an earlier one",
                    self.label()
                ),
            ));
        }
        Ok(())
    }

    /// Whether the quarter is still running on `today`.
    pub fn in_progress(&self, today: NaiveDate) -> bool {
        self.start() <= today && today <= self.end()
    }
}

/// Reads a quarter key typed by a person, naming the problem.
pub fn parse_quarter(key: &str, first_month: u32) -> Result<Quarter, Invalid> {
    Quarter::parse(key, first_month).ok_or_else(|| {
        Invalid::one(
            "quarter",
            "Enter the quarter as the year and quarter number, like 2026-Q3",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_quarters() {
        let q = Quarter::containing(d(2026, 11, 26), 1);
        assert_eq!(q.key(), "2026-Q4");
        assert_eq!((q.start(), q.end()), (d(2026, 10, 1), d(2026, 12, 31)));
        assert_eq!(q.label(), "Q4 2026 (October to December)");
        assert_eq!(q.previous().key(), "2026-Q3");
        assert_eq!(
            Quarter::containing(d(2026, 1, 1), 1).previous().key(),
            "2025-Q4"
        );
        assert_eq!(Quarter::parse("2026-Q3", 1).unwrap().end(), d(2026, 9, 30));
    }

    #[test]
    fn financial_year_quarters_start_in_april() {
        let q = Quarter::containing(d(2027, 2, 10), 4);
        assert_eq!(q.key(), "2026-Q4");
        assert_eq!((q.start(), q.end()), (d(2027, 1, 1), d(2027, 3, 31)));
        assert_eq!(q.label(), "Q4 2026/27 (January to March)");
        let q1 = Quarter::containing(d(2026, 4, 1), 4);
        assert_eq!(q1.key(), "2026-Q1");
        assert_eq!(q1.previous().key(), "2025-Q4");
        assert_eq!(q1.previous().end(), d(2026, 3, 31));
    }

    #[test]
    fn a_quarter_in_the_future_or_a_bad_key_is_refused() {
        let today = d(2026, 11, 26);
        assert!(
            Quarter::parse("2026-Q4", 1)
                .unwrap()
                .check_reportable(today)
                .is_ok()
        );
        let e = Quarter::parse("2027-Q1", 1)
            .unwrap()
            .check_reportable(today)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("Q1 2027 (January to March) has not started yet")
        );
        for bad in ["2026-Q5", "2026Q1", "Q3", "twenty-Q1", ""] {
            assert!(parse_quarter(bad, 1).is_err(), "{bad}");
        }
        assert!(Quarter::parse("2026-Q4", 1).unwrap().in_progress(today));
    }
}
