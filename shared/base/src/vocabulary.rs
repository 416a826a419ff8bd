//! The words both sides of the privacy wall share: what a column is, its time
//! resolution, a histogram, an exact relation, a personal-data type. Plain data with
//! no reading code, so that `wire` and the making side (template, spec, generate) can
//! name them without reaching into `profile`, which re-exports them for the reading
//! side.

use serde::{Deserialize, Serialize};

/// Bins over a range (equal-width as profiled; the guard may merge neighbours); values
/// outside it fall into the end bins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Histogram {
    /// Bin edges, one more than the counts.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

/// An exact relation that held on every complete row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// `target = left + right`.
    Sum {
        /// The derived column.
        target: String,
        /// First operand.
        left: String,
        /// Second operand.
        right: String,
    },
    /// `target = left − right`.
    Difference {
        /// The derived column.
        target: String,
        /// Minuend.
        left: String,
        /// Subtrahend.
        right: String,
    },
    /// `target = left × right`.
    Product {
        /// The derived column.
        target: String,
        /// First factor.
        left: String,
        /// Second factor.
        right: String,
    },
    /// Each value of `by` comes with exactly one value of `target`.
    DeterminedBy {
        /// The dependent column.
        target: String,
        /// The determining column.
        by: String,
    },
}

/// What a column is, for synthesis.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers with a distribution.
    Numeric,
    /// A limited set of repeated values.
    Categorical,
    /// true/false.
    Boolean,
    /// Dates, datetimes, times.
    Datetime,
    /// Free text: mostly distinct, several words (notes, names of things).
    Text,
    /// Keys and codes: (nearly) unique, one token (IDs, emails, SSNs).
    Identifier,
}

/// Time resolution of a temporal column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Sub-second values.
    Subsecond,
    /// Whole seconds.
    Second,
    /// Whole minutes.
    Minute,
    /// Whole hours.
    Hour,
    /// Whole days.
    Day,
    /// First days of months.
    Month,
    /// First days of years.
    Year,
}

/// What a column holds, when that is personal or identifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SemanticType {
    /// A full person name.
    PersonName,
    /// A given name.
    FirstName,
    /// A family name.
    LastName,
    /// An email address.
    Email,
    /// A phone or fax number.
    Phone,
    /// A street address.
    StreetAddress,
    /// A city or town.
    City,
    /// A ZIP or postal code.
    PostalCode,
    /// A US Social Security number.
    Ssn,
    /// A payment card number.
    CreditCard,
    /// An international bank account number.
    Iban,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A web address.
    Url,
    /// A UUID / GUID.
    Uuid,
    /// A medical record or patient number.
    MedicalRecordNumber,
    /// An account, member, policy or licence number.
    AccountNumber,
    /// A date of birth.
    DateOfBirth,
    /// Free text (notes, descriptions, names of things).
    FreeText,
}

impl SemanticType {
    /// Whether values of this type identify or describe a person (HIPAA / GDPR).
    pub fn is_pii(self) -> bool {
        !matches!(self, SemanticType::FreeText)
    }

    /// Plain words for the type, for people to read.
    pub fn label(self) -> &'static str {
        use SemanticType::*;
        match self {
            PersonName => "a person's name",
            FirstName => "a first name",
            LastName => "a last name",
            Email => "an email address",
            Phone => "a phone number",
            StreetAddress => "a street address",
            City => "a city",
            PostalCode => "a postal code",
            Ssn => "a social security number",
            CreditCard => "a card number",
            Iban => "a bank account (IBAN)",
            IpAddress => "an IP address",
            Url => "a web address",
            Uuid => "a device or record UUID",
            MedicalRecordNumber => "a medical record number",
            AccountNumber => "an account or member number",
            DateOfBirth => "a date of birth",
            FreeText => "free text",
        }
    }
}

/// Finer before coarser, in declaration order.
impl PartialOrd for Granularity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Granularity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}
