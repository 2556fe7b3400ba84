//! Instants after which part of a manifest no longer applies (`expiresAt`), and the clock they
//! are compared with.
//!
//! Written as an RFC 3339 date (`2031-03-01`, midnight UTC) or date-time
//! (`2026-12-04T18:00:00Z`, any offset). The clock is explicit: every run compares with one
//! instant, `--now` or the system clock read once at start, so a plan is reproducible and a
//! saved plan records the instant it was made at.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// An instant: the end of an `expiresAt`, or the clock of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(OffsetDateTime);

impl Instant {
    /// The system clock now.
    pub fn now() -> Instant {
        Instant(OffsetDateTime::now_utc())
    }

    /// An RFC 3339 date-time, or a date (midnight UTC).
    pub fn parse(s: &str) -> Result<Instant, String> {
        let s = s.trim();
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return t
                .checked_to_offset(UtcOffset::UTC)
                .map(Instant)
                .ok_or_else(|| format!("`{s}` is out of the range of dates rolesmith handles"));
        }
        match date(s) {
            Some(d) => Ok(Instant(d.midnight().assume_utc())),
            None => Err(format!(
                "`{s}` is not an RFC 3339 date or date-time (write e.g. 2031-03-01 or 2026-12-04T18:00:00Z)"
            )),
        }
    }

    /// The instant as IAM's `aws:CurrentTime` compares it: `2026-12-04T18:00:00Z`.
    pub fn iam(&self) -> String {
        self.0.format(&Rfc3339).unwrap_or_default()
    }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    pub fn seconds_until(&self, later: &Instant) -> i64 {
        (later.0 - self.0).whole_seconds()
    }

    /// `self` moved by `seconds`.
    pub fn plus_seconds(&self, seconds: i64) -> Instant {
        Instant(self.0 + time::Duration::seconds(seconds))
    }

    /// The instant as an AWS SDK date-time is read: seconds since the epoch.
    pub fn from_unix(seconds: i64) -> Instant {
        Instant(OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH))
    }
}

impl fmt::Display for Instant {
    /// `2026-12-04T18:00Z` (seconds shown only when not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )?;
        if t.second() != 0 {
            write!(f, ":{:02}", t.second())?;
        }
        f.write_str("Z")
    }
}

impl Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iam())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Instant::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Instant {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Instant".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An RFC 3339 date (midnight UTC) or date-time, e.g. 2031-03-01 or 2026-12-04T18:00:00Z.",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2}))?$"
        })
    }
}

/// A duration written `90d`, `12h`, `30m` or `45s` (`--unused-for`, `--skip-unused`, the
/// warning window), in seconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (write e.g. 90d, 12h or 30m)"))?;
    let per = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" | "" => 1,
        _ => return Err(format!("`{s}`: the unit is d, h, m or s (e.g. 90d)")),
    };
    n.checked_mul(per)
        .ok_or_else(|| format!("`{s}` is too long a duration"))
}

/// `YYYY-MM-DD` as a date.
fn date(s: &str) -> Option<Date> {
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_date_times_parse_and_show_in_utc() {
        let t = Instant::parse("2026-12-04T19:00:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-12-04T18:00Z");
        assert_eq!(t.iam(), "2026-12-04T18:00:00Z");
        let d = Instant::parse("2031-03-01").unwrap();
        assert_eq!(d.iam(), "2031-03-01T00:00:00Z");
        assert!(d > t);
        assert!(Instant::parse("2031-02-30").is_err());
        assert!(Instant::parse("next friday").is_err());
        assert!(Instant::parse("9999-12-31T23:59:59-23:59").is_err());
        assert_eq!(
            Instant::parse("2026-12-04T18:00:05Z").unwrap().to_string(),
            "2026-12-04T18:00:05Z"
        );
    }

    #[test]
    fn durations_have_a_unit() {
        assert_eq!(parse_duration("90d"), Ok(90 * 86_400));
        assert_eq!(parse_duration("12h"), Ok(43_200));
        assert!(parse_duration("3w").is_err());
        assert!(parse_duration("d").is_err());
    }
}
