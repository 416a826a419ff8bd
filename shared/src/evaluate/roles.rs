//! Which columns are scored, and as what: SDV 2.0's single-table metadata detection
//! (`Metadata.detect_from_dataframes`), reproduced so that our figures are the ones the
//! SDMetrics Quality Report gives on the same files.
//!
//! SDV decides per column, in this order: a PII name (`city`, `state`, `latitude`,
//! `email`...) → that PII sdtype; a name token `id` → `id`; booleans → categorical;
//! numbers → `ordinal` when whole and of low cardinality, else `numerical`; text →
//! `datetime` when it parses as dates, else `categorical`. Then the first column that
//! could be a primary key (unique, never missing, and for numbers whole and ≥ 0)
//! becomes `id`. SDMetrics scores numerical, datetime, categorical, ordinal and boolean
//! columns and ignores the rest, so ID and PII columns never count towards fidelity;
//! our privacy section checks them instead.
//!
//! Where our type inference differs from pandas' (codes with leading zeros stay text
//! here and become numbers in pandas), the role follows our types; the public datasets
//! have no such column.

use crate::LogicalType;
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use serde::{Deserialize, Serialize};

/// A column's role in scoring, named after the SDV sdtype it reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Scored with KSComplement and correlation.
    Numerical,
    /// Scored like numbers, on the time axis.
    Datetime,
    /// Scored with TVComplement and contingency tables.
    Categorical,
    /// Whole numbers with few distinct values: scored as categories.
    Ordinal,
    /// A key: not scored for fidelity, checked for copies.
    Id,
    /// Personal data by name (SDV's PII sdtypes): not scored, checked for copies.
    Pii,
}

impl Role {
    /// Whether SDMetrics scores this column.
    pub fn is_statistical(self) -> bool {
        !matches!(self, Role::Id | Role::Pii)
    }
    /// Numerical and datetime columns are continuous; the rest discrete.
    pub fn is_continuous(self) -> bool {
        matches!(self, Role::Numerical | Role::Datetime)
    }
}

/// A detected role, with SDV's own sdtype name (`city`, `latitude`...) for PII.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Detected {
    pub role: Role,
    pub sdtype: &'static str,
}

/// SDV's `_REFERENCE_TO_SDTYPE`: name fragments that mark personal data.
const PII_NAMES: &[(&str, &str)] = &[
    ("phonenumber", "phone_number"),
    ("email", "email"),
    ("ssn", "ssn"),
    ("firstname", "first_name"),
    ("lastname", "last_name"),
    ("countrycode", "country_code"),
    ("administativeunit", "administrative_unit"),
    ("state", "administrative_unit"),
    ("province", "administrative_unit"),
    ("stateabbr", "state_abbr"),
    ("city", "city"),
    ("postalcode", "postcode"),
    ("zipcode", "postcode"),
    ("postcode", "postcode"),
    ("streetaddress", "street_address"),
    ("line1", "street_address"),
    ("secondaryaddress", "secondary_address"),
    ("line2", "secondary_address"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("ipv4", "ipv4_address"),
    ("ipv4address", "ipv4_address"),
    ("ipv6", "ipv6_address"),
    ("ipv6address", "ipv6_address"),
    ("ipaddress", "ipv6_address"),
    ("macaddress", "mac_address"),
    ("useragent", "user_agent_string"),
    ("useragentstring", "user_agent_string"),
    ("iban", "iban"),
    ("swift", "swift11"),
    ("swift11", "swift11"),
    ("swift8", "swift8"),
    ("creditcardnumber", "credit_card_number"),
    ("vin", "vin"),
    ("licenseplate", "license_plate"),
    ("license", "license_plate"),
];

/// Sdtypes whose reference word is also part of other words: these must match a whole
/// name token (`state` in `state_code`, not in `estate`).
const WHOLE_TOKEN_SDTYPES: &[&str] = &["ssn", "administrative_unit", "city", "vin"];

/// SDV's `_tokenize_column_name`: split on space, `-`, `_`; a single word in camelCase
/// is split before capitals (dropping a lower-case prefix, as SDV does).
fn tokens(name: &str) -> Vec<String> {
    let replaced = name.replace([' ', '-'], "_");
    let mut toks: Vec<String> = replaced.split('_').map(str::to_string).collect();
    if toks.len() == 1 {
        toks.clear();
        let rest: String = name.chars().skip(1).collect();
        if name.to_uppercase() != name && rest.to_lowercase() != rest {
            let mut current: Option<String> = None;
            for ch in name.chars() {
                if ch.is_ascii_uppercase() {
                    if let Some(t) = current.take() {
                        toks.push(t);
                    }
                    current = Some(ch.to_string());
                } else if let Some(t) = current.as_mut() {
                    t.push(ch);
                }
            }
            toks.extend(current);
        }
    }
    if toks.is_empty() {
        toks.push(name.to_string());
    }
    toks.iter().map(|t| t.to_lowercase()).collect()
}

fn pii_by_name(name: &str) -> Option<&'static str> {
    let cleaned: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if let Some((_, sdtype)) = PII_NAMES
        .iter()
        .find(|(r, s)| !WHOLE_TOKEN_SDTYPES.contains(s) && cleaned.contains(r))
    {
        return Some(sdtype);
    }
    let toks = tokens(name);
    PII_NAMES
        .iter()
        .find(|(r, s)| WHOLE_TOKEN_SDTYPES.contains(s) && toks.iter().any(|t| t == r))
        .map(|(_, s)| *s)
}

/// Facts about one column's values that detection needs.
struct Facts {
    rows: usize,
    nulls: usize,
    distinct: usize,
    whole: bool,
    non_negative: bool,
}

fn numeric_facts(array: &ArrayRef) -> Facts {
    let mut values: Vec<f64> = match array.data_type() {
        DataType::Int64 => array
            .as_primitive::<Int64Type>()
            .iter()
            .flatten()
            .map(|v| v as f64)
            .collect(),
        DataType::Float64 => array
            .as_primitive::<Float64Type>()
            .iter()
            .flatten()
            .filter(|v| !v.is_nan())
            .collect(),
        _ => Vec::new(),
    };
    let nulls = array.len() - values.len();
    let whole = values.iter().all(|v| v.round() == *v);
    let non_negative = values.iter().all(|v| *v >= 0.0);
    values.sort_unstable_by(f64::total_cmp);
    values.dedup();
    Facts {
        rows: array.len(),
        nulls,
        distinct: values.len(),
        whole,
        non_negative,
    }
}

fn text_facts(array: &ArrayRef) -> Facts {
    let mut values: Vec<&str> = match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().flatten().collect(),
        _ => Vec::new(),
    };
    let nulls = array.len() - values.len();
    values.sort_unstable();
    values.dedup();
    Facts {
        rows: array.len(),
        nulls,
        distinct: values.len(),
        whole: false,
        non_negative: false,
    }
}

/// SDV's `_MIN_ROWS_FOR_PREDICTION`: with this many rows or fewer, no ordinal or key
/// is inferred.
const MIN_ROWS_FOR_PREDICTION: usize = 5;

/// Detects every column's role as SDV 2.0 does on the real table.
pub(crate) fn detect(columns: &[(&str, LogicalType, &ArrayRef)]) -> Vec<Detected> {
    let mut out = Vec::with_capacity(columns.len());
    let mut key_candidates = Vec::new();
    for (i, &(name, logical, array)) in columns.iter().enumerate() {
        let by_name = pii_by_name(name).map(|s| (Role::Pii, s)).or_else(|| {
            tokens(name)
                .iter()
                .any(|t| t == "id")
                .then_some((Role::Id, "id"))
        });
        let (role, sdtype) = if let Some(found) = by_name {
            // An id-named column that could be a key is a key candidate in its turn.
            if found.0 == Role::Id {
                let f = if logical.is_numeric() {
                    numeric_facts(array)
                } else {
                    text_facts(array)
                };
                if f.nulls == 0 && f.distinct == f.rows {
                    key_candidates.push(i);
                }
            }
            found
        } else {
            match logical {
                LogicalType::Boolean => (Role::Categorical, "categorical"),
                LogicalType::Date | LogicalType::DateTime | LogicalType::Time => {
                    (Role::Datetime, "datetime")
                }
                LogicalType::Integer | LogicalType::Float | LogicalType::Null => {
                    let f = numeric_facts(array);
                    let enough = f.rows > MIN_ROWS_FOR_PREDICTION && f.distinct > 0;
                    // Python's round() rounds halves to even.
                    let cap = ((f.rows as f64 / 10.0).round_ties_even() as usize).min(10);
                    if enough && f.nulls == 0 && f.distinct == f.rows && f.whole && f.non_negative {
                        key_candidates.push(i);
                    }
                    if enough && f.whole && f.distinct <= cap {
                        (Role::Ordinal, "ordinal")
                    } else {
                        (Role::Numerical, "numerical")
                    }
                }
                LogicalType::Text => {
                    let f = text_facts(array);
                    if f.rows > MIN_ROWS_FOR_PREDICTION && f.nulls == 0 && f.distinct == f.rows {
                        key_candidates.push(i);
                    }
                    (Role::Categorical, "categorical")
                }
            }
        };
        out.push(Detected { role, sdtype });
    }
    // SDV's primary key: the first candidate that is not PII becomes an id.
    if let Some(&k) = key_candidates.first() {
        out[k] = Detected {
            role: Role::Id,
            sdtype: "id",
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tokenized_like_sdv() {
        assert_eq!(tokens("patient_id"), ["patient", "id"]);
        assert_eq!(tokens("Home State"), ["home", "state"]);
        assert_eq!(tokens("patientId"), ["id"]);
        assert_eq!(tokens("CityName"), ["city", "name"]);
        assert_eq!(tokens("ID"), ["id"]);
    }

    #[test]
    fn pii_names() {
        assert_eq!(pii_by_name("state"), Some("administrative_unit"));
        assert_eq!(pii_by_name("real_estate"), None);
        assert_eq!(pii_by_name("Customer Email"), Some("email"));
        assert_eq!(pii_by_name("latitude"), Some("latitude"));
        assert_eq!(pii_by_name("name"), None);
        assert_eq!(pii_by_name("city"), Some("city"));
        assert_eq!(pii_by_name("velocity"), None);
    }
}
