//! Semantic (PII) type detection from a column's name and values.
//!
//! HIPAA Safe Harbor's 18 identifiers are the checklist: names, geography below state
//! (street, city, ZIP), dates tied to a person (birth), phone and fax numbers, email
//! addresses, SSNs, medical record / account / plan numbers, URLs, IP addresses,
//! device and other identifiers (UUIDs), card and bank numbers (IBAN).
//!
//! Values decide when a validator fits at least 80% of a sample (checksums count: Luhn
//! for cards, mod-97 for IBANs, the SSA's invalid ranges for SSNs); names decide the
//! types that values alone cannot tell apart (a ZIP from a 5-digit order number, a city
//! from any other place name). Person names are checked against first- and last-name
//! lists, so `cars.Name` (car models) is not a person's name.

use crate::table::LogicalType;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

pub use crate::vocabulary::SemanticType;

/// A detected semantic type with how sure we are (0..1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Semantic {
    /// The type.
    #[serde(rename = "type")]
    pub kind: SemanticType,
    /// Confidence in 0..=1.
    pub confidence: f64,
}

/// Lower-case tokens of a column name: `patientDOB` → [patient, dob].
fn name_tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The semantic type a column name suggests.
pub(crate) fn by_name(name: &str) -> Option<SemanticType> {
    use SemanticType::*;
    let t = name_tokens(name);
    let has = |w: &str| t.iter().any(|x| x == w);
    let joined = t.join("_");
    let contains = |w: &str| joined.contains(w);
    Some(if has("email") || has("mail") || contains("e_mail") {
        Email
    } else if has("ssn") || contains("social_security") {
        Ssn
    } else if has("iban") {
        Iban
    } else if contains("credit_card") || contains("card_number") || has("cc") || has("pan") {
        CreditCard
    } else if has("phone")
        || has("tel")
        || has("telephone")
        || has("mobile")
        || has("fax")
        || has("cell")
    {
        Phone
    } else if has("ip") || contains("ip_address") || has("ipv4") || has("ipv6") {
        IpAddress
    } else if has("url") || has("website") || has("homepage") || has("link") {
        Url
    } else if has("uuid") || has("guid") {
        Uuid
    } else if has("mrn")
        || contains("medical_record")
        || contains("patient_id")
        || contains("patient_number")
        || contains("chart_number")
    {
        MedicalRecordNumber
    } else if has("account")
        || has("acct")
        || contains("member_id")
        || contains("policy_number")
        || contains("insurance_id")
        || has("license")
        || has("licence")
        || contains("plan_id")
    {
        AccountNumber
    } else if has("dob")
        || has("birth")
        || has("birthdate")
        || has("birthday")
        || contains("date_of_birth")
    {
        DateOfBirth
    } else if contains("first_name")
        || has("firstname")
        || has("fname")
        || contains("given_name")
        || has("forename")
    {
        FirstName
    } else if contains("last_name")
        || has("lastname")
        || has("lname")
        || has("surname")
        || contains("family_name")
    {
        LastName
    } else if has("zip")
        || has("zipcode")
        || has("postal")
        || has("postcode")
        || contains("zip_code")
    {
        PostalCode
    } else if has("address") || has("street") || has("addr") {
        StreetAddress
    } else if has("city") || has("town") || has("municipality") {
        City
    } else if contains("full_name")
        || has("patient")
        || has("person")
        || has("customer")
        || has("contact")
        || has("name")
    {
        PersonName
    } else {
        return None;
    })
}

static FIRST_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    use fake::locales::Data;
    fake::locales::EN::NAME_FIRST_NAME
        .iter()
        .map(|s| s.to_lowercase())
        .collect()
});

// Real US surnames (Census 2010, most frequent) beside fake's list, whose surnames are
// mostly invented.
const COMMON_SURNAMES: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "jimenez",
    "powell",
    "jenkins",
    "perry",
    "russell",
    "sullivan",
    "bell",
    "coleman",
    "butler",
    "henderson",
    "barnes",
    "gonzales",
    "fisher",
    "vasquez",
    "simmons",
    "romero",
    "jordan",
    "patterson",
    "alexander",
    "hamilton",
    "graham",
    "reynolds",
    "griffin",
    "wallace",
    "moreno",
    "west",
    "cole",
    "hayes",
    "bryant",
    "herrera",
    "gibson",
    "ellis",
    "tran",
    "medina",
    "aguilar",
    "stevens",
    "murray",
    "ford",
    "castro",
    "marshall",
    "owens",
    "harrison",
    "fernandez",
    "mcdonald",
    "woods",
    "washington",
    "kennedy",
    "wells",
    "vargas",
    "henry",
    "chen",
    "freeman",
    "webb",
    "tucker",
    "guzman",
    "burns",
    "crawford",
    "olson",
    "simpson",
    "porter",
    "hunter",
    "gordon",
    "mendez",
    "silva",
    "shaw",
    "snyder",
    "mason",
    "dixon",
    "munoz",
    "hunt",
    "hicks",
    "holmes",
    "palmer",
    "wagner",
    "black",
    "robertson",
    "boyd",
    "rose",
    "stone",
    "salazar",
    "fox",
    "warren",
    "mills",
    "meyer",
    "rice",
    "schmidt",
    "garza",
    "daniels",
    "ferguson",
    "nichols",
    "stephens",
    "soto",
    "weaver",
    "ryan",
    "gardner",
    "payne",
    "grant",
    "dunn",
    "kelley",
    "spencer",
    "hawkins",
    "arnold",
    "pierce",
    "vazquez",
    "hansen",
    "peters",
    "santos",
    "hart",
    "bradley",
    "knight",
    "elliott",
    "cunningham",
    "duncan",
    "armstrong",
    "hudson",
    "carroll",
    "lane",
    "riley",
    "andrews",
    "alvarado",
    "ray",
    "delgado",
    "berry",
    "perkins",
    "hoffman",
    "johnston",
    "matthews",
    "pena",
    "richards",
    "contreras",
    "willis",
    "carpenter",
    "lawrence",
    "sandoval",
    "wang",
    "li",
    "zhang",
    "liu",
    "singh",
    "kumar",
    "muller",
    "schneider",
    "fischer",
    "weber",
    "rossi",
    "russo",
];

static LAST_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    use fake::locales::Data;
    fake::locales::EN::NAME_LAST_NAME
        .iter()
        .map(|s| s.to_lowercase())
        .chain(COMMON_SURNAMES.iter().map(|s| s.to_string()))
        .collect()
});

static STREET: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^\d{1,6}[a-z]?\s+([a-z0-9.'-]+\s+){1,5}(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|parkway|pkwy|circle|cir|square|sq|highway|hwy|trail|trl|loop|crossing|xing|alley|route|rte|plaza|run|path|pike|row|walk|ridge|view|park)\.?(\s*,.*|\s+(apt|suite|ste|unit|#)\s*\S+.*)?$",
    )
    .expect("street regex compiles")
});
static EMAIL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
        .expect("email regex compiles")
});
static PHONE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(\+\d{1,3}[\s.-]?)?(\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(\s*(x|ext\.?)\s*\d{1,6})?$")
        .expect("phone regex compiles")
});
static PHONE_INTL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^\+\d{1,3}([\s.-]?\d{2,4}){2,5}$").expect("phone regex compiles")
});
static UUID: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$",
    )
    .expect("uuid regex compiles")
});
static URL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)^(https?://|www\.)[^\s]+$").expect("url regex compiles")
});
static ZIP: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^(\d{5}(-\d{4})?|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4})$",
    )
    .expect("zip regex compiles")
});
static MRN: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[A-Za-z]{0,4}[-_ ]?\d{5,12}$").expect("mrn regex compiles")
});

/// A valid US SSN in `ddd-dd-dddd` form: area not 000, 666 or 900-999, group not 00,
/// serial not 0000.
pub fn is_valid_ssn(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 11 || b[3] != b'-' || b[6] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    match (digits(0..3), digits(4..6), digits(7..11)) {
        (Some(area), Some(group), Some(serial)) => {
            area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
        }
        _ => false,
    }
}

fn ssn_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[3] == b'-'
        && b[6] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 3 || i == 6 || c.is_ascii_digit())
}

/// A card number (13-19 digits, spaces or dashes allowed) passing the Luhn check.
pub fn is_card_number(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len())
        || s.chars()
            .any(|c| !(c.is_ascii_digit() || c == ' ' || c == '-'))
    {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// An IBAN passing the ISO 13616 mod-97 check.
pub fn is_iban(s: &str) -> bool {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !(15..=34).contains(&c.len()) {
        return false;
    }
    let b = c.as_bytes();
    let country_and_check = b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit();
    if !country_and_check || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let mut rem: u64 = 0;
    for &ch in b[4..].iter().chain(&b[..4]) {
        let v = if ch.is_ascii_digit() {
            u64::from(ch - b'0')
        } else {
            u64::from(ch - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

fn is_phone(s: &str) -> bool {
    PHONE.is_match(s) || PHONE_INTL.is_match(s)
}

/// How a value fits each value-checkable type.
fn value_type(s: &str) -> Option<SemanticType> {
    use SemanticType::*;
    let s = s.trim();
    Some(if EMAIL.is_match(s) {
        Email
    } else if ssn_shaped(s) {
        Ssn
    } else if UUID.is_match(s) {
        Uuid
    } else if URL.is_match(s) {
        Url
    } else if is_ip(s) {
        IpAddress
    } else if is_iban(s) {
        Iban
    } else if is_card_number(s) {
        CreditCard
    } else if is_phone(s) {
        Phone
    } else if STREET.is_match(s) {
        StreetAddress
    } else {
        return None;
    })
}

/// Share of values that are person names: (full names, first names, last names).
fn name_shares(values: &[&str]) -> (f64, f64, f64) {
    let n = values.len().max(1) as f64;
    let (mut full, mut first, mut last) = (0usize, 0usize, 0usize);
    for v in values {
        let words: Vec<String> = v
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_matches('.').to_lowercase())
            .collect();
        if words.len() == 1 {
            if FIRST_NAMES.contains(&words[0]) {
                first += 1;
            }
            if LAST_NAMES.contains(&words[0]) {
                last += 1;
            }
        } else if (2..=4).contains(&words.len()) {
            let capitalised = v
                .split_whitespace()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase));
            let f =
                FIRST_NAMES.contains(&words[0]) || FIRST_NAMES.contains(&words[words.len() - 1]);
            let l = LAST_NAMES.contains(&words[words.len() - 1]) || LAST_NAMES.contains(&words[0]);
            if capitalised && (f || l) {
                full += 1;
            }
        }
    }
    (full as f64 / n, first as f64 / n, last as f64 / n)
}

/// Inputs to detection: the name, the type, a spread sample of distinct values (as
/// text), and how distinct the column is.
#[derive(Debug)]
pub(crate) struct Evidence<'a> {
    pub name: &'a str,
    pub logical: LogicalType,
    pub values: &'a [&'a str],
    pub distinct_ratio: f64,
    pub mean_words: f64,
}

/// Detects the semantic type of a column, if it has one.
pub(crate) fn detect(e: &Evidence<'_>) -> Option<Semantic> {
    use SemanticType::*;
    let hint = by_name(e.name);
    let sem = |kind, confidence: f64| {
        Some(Semantic {
            kind,
            confidence: (confidence * 100.0).round() / 100.0,
        })
    };
    let agree = |k| if hint == Some(k) { 0.05 } else { 0.0 };
    if e.logical.is_temporal() {
        let dated = matches!(e.logical, LogicalType::Date | LogicalType::DateTime);
        return (hint == Some(DateOfBirth) && dated).then_some(Semantic {
            kind: DateOfBirth,
            confidence: 0.9,
        });
    }
    // A birth date the reader could not parse (`25/09/69 ish`, mixed formats) is still
    // a birth date: its text must not leave as category names.
    if hint == Some(DateOfBirth) && e.logical != LogicalType::Boolean {
        return sem(DateOfBirth, 0.8);
    }
    // Validators read ASCII: fold full-width and other scripts' digits first, so an
    // MRN written `４７１１０３７` is recognised like `4711037`.
    let folded: Vec<String> = e.values.iter().map(|v| fold_digits(v)).collect();
    let folded: Vec<&str> = folded.iter().map(String::as_str).collect();
    let e = &Evidence {
        values: &folded,
        ..*e
    };
    if matches!(
        e.logical,
        LogicalType::Boolean | LogicalType::Null | LogicalType::Float
    ) || e.values.is_empty()
    {
        return None;
    }
    let n = e.values.len() as f64;
    // Value validators first: they are precise.
    let mut counts: std::collections::HashMap<SemanticType, usize> = Default::default();
    for v in e.values {
        if let Some(t) = value_type(v) {
            *counts.entry(t).or_default() += 1;
        }
    }
    let best = counts
        .iter()
        .max_by_key(|(t, c)| (**c, std::cmp::Reverse(**t as u8)))
        .map(|(t, c)| (*t, *c as f64 / n));
    if let Some((t, share)) = best
        && share >= 0.8
    {
        if t == Ssn {
            // SSN-shaped but mostly invalid (900-999 areas...) is some other code,
            // unless the name says SSN.
            let valid = e.values.iter().filter(|v| is_valid_ssn(v.trim())).count() as f64 / n;
            if valid >= 0.8 || hint == Some(Ssn) {
                return sem(Ssn, valid.max(0.8) + agree(Ssn));
            }
            return None;
        }
        if t == Phone && e.logical == LogicalType::Integer && hint != Some(Phone) {
            return None;
        }
        return sem(t, (share + agree(t)).min(1.0));
    }
    // Types the name must name, with values that fit.
    let share_of =
        |f: &dyn Fn(&str) -> bool| e.values.iter().filter(|v| f(v.trim())).count() as f64 / n;
    match hint {
        Some(PostalCode) => {
            let s = share_of(&|v| ZIP.is_match(v));
            if s >= 0.8 {
                return sem(PostalCode, s);
            }
        }
        Some(Ssn) => {
            let s = share_of(&|v| v.len() == 9 && v.bytes().all(|c| c.is_ascii_digit()));
            if s >= 0.8 {
                return sem(Ssn, s);
            }
        }
        Some(Phone) => {
            let s = share_of(&|v| (7..=15).contains(&v.bytes().filter(u8::is_ascii_digit).count()));
            if s >= 0.8 {
                return sem(Phone, s * 0.9);
            }
        }
        Some(k @ (MedicalRecordNumber | AccountNumber)) => {
            let s =
                share_of(&|v| MRN.is_match(v) || v.bytes().filter(u8::is_ascii_digit).count() >= 4);
            if s >= 0.8 {
                return sem(k, s * 0.95);
            }
        }
        Some(City) if e.logical == LogicalType::Text => return sem(City, 0.8),
        Some(StreetAddress) if e.logical == LogicalType::Text && e.mean_words >= 2.0 => {
            return sem(StreetAddress, 0.8);
        }
        _ => {}
    }
    if e.logical != LogicalType::Text {
        return None;
    }
    // Companies before people: "Wayne Corp" holds a first name.
    let companies = share_of(&is_company);
    if companies >= 0.5 {
        return sem(Organization, companies.min(1.0));
    }
    // Person names, by name lists.
    let (full, first, last) = name_shares(e.values);
    match hint {
        Some(FirstName) if first >= 0.4 => return sem(FirstName, first.max(0.8)),
        Some(LastName) if last >= 0.2 || (first + last) >= 0.4 => return sem(LastName, 0.8),
        Some(FirstName | LastName | PersonName) | None if full >= 0.6 => {
            return sem(PersonName, (full + agree(PersonName)).min(1.0));
        }
        Some(PersonName) if e.mean_words >= 1.5 && full >= 0.3 => return sem(PersonName, 0.7),
        None if first >= 0.7 && e.distinct_ratio > 0.05 => return sem(FirstName, first),
        _ => {}
    }
    // Free text: mostly distinct sentences. Short names of things (`chevrolet chevelle
    // malibu`, `Lansdowne Airport`) are not: they stay categories.
    if e.distinct_ratio >= 0.5 && e.mean_words >= 1.5 && share_of(&is_sentence_like) >= 0.3 {
        return sem(FreeText, e.distinct_ratio.min(1.0));
    }
    None
}

/// Words that end a company's name.
const COMPANY_SUFFIXES: [&str; 36] = [
    "inc",
    "inc.",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "company",
    "llc",
    "l.l.c.",
    "ltd",
    "ltd.",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "se",
    "sa",
    "s.a.",
    "sarl",
    "srl",
    "s.r.l.",
    "spa",
    "bv",
    "b.v.",
    "nv",
    "oy",
    "ab",
    "as",
    "a/s",
    "pty",
    "group",
    "holdings",
    "partners",
    "llp",
];

/// A company name: two words or more, the last a legal form (`Acme Corp`, `Globex
/// GmbH`), or partners' names (`Smith and Sons`, `Kuhn, Hahn and Roe`).
fn is_company(v: &str) -> bool {
    let words: Vec<&str> = v.split_whitespace().collect();
    match words.as_slice() {
        [_, .., last] => {
            let last = last.trim_end_matches(',').to_lowercase();
            COMPANY_SUFFIXES.contains(&last.as_str())
                || last == "sons"
                || (words.len() == 4 && words[0].ends_with(',') && words[2] == "and")
        }
        _ => false,
    }
}

/// Reads as a sentence: five words or more, or ending like one. A company's "Inc." is
/// caught as a company first.
fn is_sentence_like(v: &str) -> bool {
    v.split_whitespace().count() >= 5 || v.trim_end().ends_with(['.', '!', '?'])
}

/// Full-width forms (U+FF01..U+FF5E) as their ASCII letters and symbols, and the
/// decimal digits of other scripts as ASCII digits; everything else unchanged.
pub(crate) fn fold_digits(s: &str) -> String {
    // Zero of each decimal-digit block (Unicode category Nd) in common use.
    const ZEROS: [u32; 17] = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0xFF10,
    ];
    s.chars()
        .map(|c| {
            let u = c as u32;
            if let Some(z) = ZEROS.iter().find(|&&z| (z..z + 10).contains(&u)) {
                return char::from(b'0' + (u - z) as u8);
            }
            if (0xFF01..=0xFF5E).contains(&u) {
                return char::from_u32(u - 0xFEE0).unwrap_or(c);
            }
            if u == 0x3000 { ' ' } else { c }
        })
        .collect()
}

/// Whether a string on its own looks like a PII value (used by the guard on column
/// names, in case a header row was really data).
pub fn looks_like_pii_value(s: &str) -> bool {
    let folded = fold_digits(s);
    let t = folded.trim();
    value_type(t).is_some_and(|k| k != SemanticType::StreetAddress || t.len() > 8)
        || is_valid_ssn(t)
        || name_shares(&[t]).0 > 0.0 && t.split_whitespace().count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_values(name: &str, values: &[&str]) -> Option<SemanticType> {
        detect(&Evidence {
            name,
            logical: LogicalType::Text,
            values,
            distinct_ratio: 1.0,
            mean_words: values
                .iter()
                .map(|v| v.split_whitespace().count() as f64)
                .sum::<f64>()
                / values.len() as f64,
        })
        .map(|s| s.kind)
    }

    #[test]
    fn checksums() {
        assert!(is_card_number("4111 1111 1111 1111"));
        assert!(!is_card_number("4111 1111 1111 1112"));
        assert!(is_iban("GB82 WEST 1234 5698 7654 32"));
        assert!(!is_iban("GB82 WEST 1234 5698 7654 33"));
        assert!(is_valid_ssn("123-45-6789"));
        assert!(!is_valid_ssn("666-45-6789"));
        assert!(!is_valid_ssn("912-45-6789"));
        assert!(!is_valid_ssn("123-00-6789"));
    }

    #[test]
    fn names_and_lookalikes() {
        assert_eq!(
            detect_values("x", &["John Smith", "Mary Jones", "Ana Garcia"]),
            Some(SemanticType::PersonName)
        );
        assert_eq!(
            detect_values(
                "Name",
                &[
                    "chevrolet chevelle malibu",
                    "buick skylark 320",
                    "ford torino"
                ]
            ),
            None,
            "names of things are no sentences"
        );
        assert_eq!(
            detect_values(
                "customer",
                &["Acme Corp", "Globex GmbH", "Wayne Enterprises Inc."]
            ),
            Some(SemanticType::Organization),
            "companies, though the name says customer and Wayne is a first name"
        );
        assert_eq!(
            detect_values(
                "review",
                &[
                    "Great product, would buy again.",
                    "Arrived late.",
                    "Five stars, fast"
                ]
            ),
            Some(SemanticType::FreeText)
        );
        assert_eq!(
            detect_values("sku", &["PRD-10023", "PRD-20431", "PRD-55512"]),
            None
        );
        assert_eq!(name_tokens("patientDOB"), ["patient", "dob"]);
    }
}
