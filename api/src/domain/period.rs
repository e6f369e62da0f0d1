//! Fiscal periods: `FY2026` (a fiscal year) and `FY2026-Q3` (one of its quarters).
//!
//! `FY2026` is the fiscal year that *starts* in calendar 2026 at the configured first
//! month, so with a February start it runs from 1 Feb 2026 to 31 Jan 2027. Periods are UTC
//! calendar days; `end` is exclusive so that a close date on the last day counts and one
//! on the next day does not.

use std::fmt;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    /// 1..=4, or `None` for the whole fiscal year.
    pub quarter: Option<u8>,
}

impl Period {
    /// Parses `FY2026` or `FY2026-Q1` .. `FY2026-Q4`; anything else is `BAD_USER_INPUT`
    /// naming `field`.
    pub fn parse(raw: &str, field: &str) -> Result<Period, AppError> {
        let bad = || {
            AppError::bad_input(
                field,
                format!("`{raw}` is not a period; use FY2026 or FY2026-Q1 .. FY2026-Q4"),
            )
        };
        let rest = raw.trim().strip_prefix("FY").ok_or_else(bad)?;
        let (year, quarter) = match rest.split_once("-Q") {
            Some((y, q)) => (y, Some(q)),
            None => (rest, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        if !(1900..=9998).contains(&year) {
            return Err(bad());
        }
        let quarter = match quarter {
            None => None,
            Some(q @ ("1" | "2" | "3" | "4")) => Some(q.parse::<u8>().map_err(|_| bad())?),
            Some(_) => return Err(bad()),
        };
        Ok(Period { year, quarter })
    }

    /// The first day of the period, for a fiscal year starting in `first_month` (1..=12).
    pub fn start(&self, first_month: u32) -> NaiveDate {
        let fy_start = NaiveDate::from_ymd_opt(self.year, first_month.clamp(1, 12), 1)
            .unwrap_or(NaiveDate::MIN);
        let quarter_offset = u32::from(self.quarter.unwrap_or(1).saturating_sub(1)) * 3;
        fy_start
            .checked_add_months(Months::new(quarter_offset))
            .unwrap_or(fy_start)
    }

    /// The day after the period's last day.
    pub fn end(&self, first_month: u32) -> NaiveDate {
        let months = if self.quarter.is_some() { 3 } else { 12 };
        let start = self.start(first_month);
        start
            .checked_add_months(Months::new(months))
            .unwrap_or(start)
    }

    /// The period's last day.
    pub fn last_day(&self, first_month: u32) -> NaiveDate {
        self.end(first_month).pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn start_at(&self, first_month: u32) -> DateTime<Utc> {
        midnight(self.start(first_month))
    }

    pub fn end_at(&self, first_month: u32) -> DateTime<Utc> {
        midnight(self.end(first_month))
    }

    /// The share of the period's days that have begun by `today` (today included):
    /// 0 before it starts, 1 once it is over.
    pub fn elapsed_share(&self, first_month: u32, today: NaiveDate) -> (i64, i64) {
        let (start, end) = (self.start(first_month), self.end(first_month));
        let total = (end - start).num_days();
        let elapsed = ((today - start).num_days() + 1).clamp(0, total);
        (elapsed, total)
    }

    /// The fiscal year containing this quarter, or the year itself.
    pub fn year_period(&self) -> Period {
        Period {
            year: self.year,
            quarter: None,
        }
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.quarter {
            Some(q) => write!(f, "FY{}-Q{q}", self.year),
            None => write!(f, "FY{}", self.year),
        }
    }
}

/// The fiscal year (as `Period`) containing `date`.
pub fn fiscal_year_of(date: NaiveDate, first_month: u32) -> i32 {
    if date.month() >= first_month {
        date.year()
    } else {
        date.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_years_and_quarters_and_prints_them_back() {
        for raw in ["FY2026", "FY2026-Q1", "FY2026-Q4", "FY1999-Q2"] {
            assert_eq!(Period::parse(raw, "period").unwrap().to_string(), raw);
        }
    }

    #[test]
    fn refuses_anything_else_naming_the_argument() {
        for raw in [
            "FY2026-Q5",
            "FY2026-Q0",
            "2026",
            "fy2026",
            "FY26",
            "FY2026-Q",
            "FY2026Q1",
            "",
            "FY+026",
            "FY2026-Q1x",
            "FY20261",
        ] {
            let e = Period::parse(raw, "period").unwrap_err();
            assert_eq!(e.code(), "BAD_USER_INPUT", "{raw}");
            assert!(matches!(&e, AppError::BadUserInput { field, .. } if field == "period"));
        }
    }

    #[test]
    fn calendar_fiscal_year() {
        let q3 = Period::parse("FY2026-Q3", "p").unwrap();
        assert_eq!(q3.start(1), d(2026, 7, 1));
        assert_eq!(q3.last_day(1), d(2026, 9, 30));
        assert_eq!(q3.end(1), d(2026, 10, 1));
        let fy = Period::parse("FY2026", "p").unwrap();
        assert_eq!(
            (fy.start(1), fy.last_day(1)),
            (d(2026, 1, 1), d(2026, 12, 31))
        );
    }

    #[test]
    fn february_start_runs_into_the_next_calendar_year() {
        let fy = Period::parse("FY2026", "p").unwrap();
        assert_eq!(fy.start(2), d(2026, 2, 1));
        assert_eq!(fy.last_day(2), d(2027, 1, 31));
        let q1 = Period::parse("FY2026-Q1", "p").unwrap();
        assert_eq!(
            (q1.start(2), q1.last_day(2)),
            (d(2026, 2, 1), d(2026, 4, 30))
        );
        let q4 = Period::parse("FY2026-Q4", "p").unwrap();
        assert_eq!(
            (q4.start(2), q4.last_day(2)),
            (d(2026, 11, 1), d(2027, 1, 31))
        );
        assert_eq!(fiscal_year_of(d(2027, 1, 15), 2), 2026);
        assert_eq!(fiscal_year_of(d(2027, 2, 1), 2), 2027);
    }

    #[test]
    fn elapsed_share_counts_today_and_clamps() {
        let q1 = Period::parse("FY2026-Q1", "p").unwrap();
        assert_eq!(q1.elapsed_share(1, d(2025, 12, 31)), (0, 90));
        assert_eq!(q1.elapsed_share(1, d(2026, 1, 1)), (1, 90));
        assert_eq!(q1.elapsed_share(1, d(2026, 2, 14)), (45, 90));
        assert_eq!(q1.elapsed_share(1, d(2026, 5, 1)), (90, 90));
    }
}
