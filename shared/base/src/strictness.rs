//! Match strictness: how closely the synthetic data should follow the SafeProfile.
//!
//! One unit everywhere: a share in 0..=1 (0.8 is what the page shows as 80 %). The REST
//! API calls the field `match_threshold` (the user guide's name), the CLI, the page and
//! `/api/spec` call it `strictness`; all of them parse it with [`Strictness::new`] and
//! name their own field in the error with [`Strictness::parse_field`].

use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A match strictness in 0..=1.
#[derive(
    Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(try_from = "f64", into = "f64")]
pub struct Strictness(f64);

impl Strictness {
    /// 0.8: the default of the page, the CLI and the API.
    pub const DEFAULT: Strictness = Strictness(0.8);

    /// A strictness, or why `value` is not one.
    ///
    /// ```
    /// use shared_base::strictness::Strictness;
    /// assert_eq!(Strictness::new(0.85).unwrap().get(), 0.85);
    /// assert!(Strictness::new(85.0).is_err());
    /// ```
    pub fn new(value: f64) -> Result<Strictness> {
        if (0.0..=1.0).contains(&value) {
            Ok(Strictness(value))
        } else {
            Err(Error::new(
                ErrorKind::InvalidDocument,
                format!("strictness {value} is outside 0..1"),
            )
            .with_hint("a share: 0.8 means 80 %, which suits most data"))
        }
    }

    /// [`Strictness::new`] for a value the caller received as `field` (`match_threshold`,
    /// `--strictness`), so the error names what the user typed; `None` is the default.
    pub fn parse_field(value: Option<f64>, field: &str) -> Result<Strictness> {
        let Some(value) = value else {
            return Ok(Strictness::DEFAULT);
        };
        Strictness::new(value).map_err(|_| {
            Error::new(
                ErrorKind::InvalidDocument,
                format!("{field} {value} is outside 0..1"),
            )
            .at_path(field)
            .with_hint("a share: 0.8 means 80 %, which suits most data")
        })
    }

    /// The share, 0..=1.
    pub fn get(self) -> f64 {
        self.0
    }

    /// As caches key it, to two decimals: 0.8 and 0.80000001 are the same request.
    pub fn key(self) -> f64 {
        (self.0 * 100.0).round() / 100.0
    }
}

impl Default for Strictness {
    fn default() -> Self {
        Strictness::DEFAULT
    }
}

impl TryFrom<f64> for Strictness {
    type Error = Error;
    fn try_from(value: f64) -> Result<Strictness> {
        Strictness::new(value)
    }
}

impl From<Strictness> for f64 {
    fn from(s: Strictness) -> f64 {
        s.0
    }
}

/// As the page shows it: `80 %`.
impl fmt::Display for Strictness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", (self.0 * 1000.0).round() / 10.0)
    }
}

impl std::str::FromStr for Strictness {
    type Err = Error;
    fn from_str(s: &str) -> Result<Strictness> {
        let value: f64 = s.trim().parse().map_err(|_| {
            Error::new(ErrorKind::InvalidDocument, format!("{s:?} is not a number"))
                .with_hint("a share: 0.8 means 80 %")
        })?;
        Strictness::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_unit_and_errors_that_name_the_callers_field() {
        assert_eq!(Strictness::default().get(), 0.8);
        assert_eq!(Strictness::new(1.0).unwrap().to_string(), "100 %");
        assert_eq!(Strictness::new(0.805).unwrap().key(), 0.81);
        assert!(Strictness::new(f64::NAN).is_err());
        let e = Strictness::parse_field(Some(80.0), "match_threshold").unwrap_err();
        assert!(
            e.to_string().contains("match_threshold 80 is outside 0..1"),
            "{e}"
        );
        let e = Strictness::parse_field(Some(-0.1), "strictness").unwrap_err();
        assert!(e.to_string().contains("strictness -0.1"), "{e}");
        assert!(serde_json::from_str::<Strictness>("1.5").is_err());
        assert_eq!(
            serde_json::to_string(&Strictness::new(0.9).unwrap()).unwrap(),
            "0.9"
        );
        assert!("0.7".parse::<Strictness>().is_ok());
        assert!("70%".parse::<Strictness>().is_err());
    }
}
