//! The server clock. Every part of govhall that needs "now" reads it from here.
//!
//! In production it is the system clock. `--now` starts it at a chosen instant
//! (training, reproducible demos, acceptance checks), after which it advances
//! with real time. Tests use a manual clock they set explicitly.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use std::sync::{Arc, Mutex};

/// China Standard Time; there is no daylight saving.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// An instant as RFC 3339 in Beijing time, as the API shows it.
pub fn rfc3339_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).to_rfc3339()
}

#[derive(Debug, Clone)]
pub struct Clock(Kind);

#[derive(Debug, Clone)]
enum Kind {
    /// System time plus a fixed shift (zero for the real clock).
    Shifted {
        shift: Duration,
        started_at: Option<DateTime<Utc>>,
    },
    /// Only moves when a test moves it.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn system() -> Self {
        Self(Kind::Shifted {
            shift: Duration::zero(),
            started_at: None,
        })
    }

    /// A clock that reads `start` now and then advances normally.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self(Kind::Shifted {
            shift: start - Utc::now(),
            started_at: Some(start),
        })
    }

    /// A clock standing still at `at` until [`Clock::set`] or [`Clock::advance`].
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Kind::Manual(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Kind::Shifted { shift, .. } => Utc::now() + *shift,
            Kind::Manual(at) => *at.lock().expect("clock lock"),
        }
    }

    /// Now, in Beijing time, for display and for calendar dates.
    pub fn now_local(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&shanghai())
    }

    /// Today's date in Beijing time: the day deadlines count from.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now_local().date_naive()
    }

    /// Where a `--now` clock started, if it is not the system clock.
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        match &self.0 {
            Kind::Shifted { started_at, .. } => *started_at,
            Kind::Manual(at) => Some(*at.lock().expect("clock lock")),
        }
    }

    /// Whether the clock differs from the system clock (shown in the page footer).
    pub fn is_simulated(&self) -> bool {
        self.started_at().is_some()
    }

    /// Moves a manual clock; does nothing to a shifted one.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Kind::Manual(m) = &self.0 {
            *m.lock().expect("clock lock") = at;
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Kind::Manual(m) = &self.0 {
            let mut at = m.lock().expect("clock lock");
            *at += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_reads_its_start_and_advances() {
        let start = DateTime::parse_from_rfc3339("2026-09-30T09:00:00+08:00")
            .unwrap()
            .to_utc();
        let c = Clock::starting_at(start);
        let now = c.now();
        assert!(now >= start && now - start < Duration::seconds(5));
        assert_eq!(
            c.now_local().format("%Y-%m-%d %H").to_string(),
            "2026-09-30 09"
        );
        assert!(c.is_simulated());
        assert!(!Clock::system().is_simulated());
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-10-08T08:59:00+08:00")
            .unwrap()
            .to_utc();
        let c = Clock::manual(start);
        assert_eq!(c.now(), start);
        c.advance(Duration::minutes(2));
        assert_eq!(c.now(), start + Duration::minutes(2));
    }
}
