//! A table full of personal data that the project makes itself (no real people), with
//! look-alike columns that are not personal data.
#![allow(dead_code)]

use fake::Fake;
use fake::faker::address::en::{CityName, StreetName, StreetSuffix};
use fake::faker::internet::en::SafeEmail;
use fake::faker::lorem::en::Sentence;
use fake::faker::name::en as person;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shared::SemanticType;

#[derive(Debug)]
pub struct PiiTable {
    pub names: Vec<&'static str>,
    /// The expected semantic type of each column (None for look-alikes).
    pub expected: Vec<Option<SemanticType>>,
    pub rows: Vec<Vec<String>>,
}

fn luhn_complete(prefix: &str, rng: &mut ChaCha8Rng, valid: bool) -> String {
    let mut digits: Vec<u32> = prefix.chars().map(|c| c.to_digit(10).unwrap()).collect();
    while digits.len() < 15 {
        digits.push(rng.random_range(0..10));
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    digits.push(if valid { check } else { (check + 1) % 10 });
    let s: String = digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

fn iban(rng: &mut ChaCha8Rng) -> String {
    let bban: String = format!(
        "WEST{}",
        (0..14)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect::<String>()
    );
    let numeric: String = format!("{bban}GB00")
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c.to_string()
            } else {
                (c as u32 - 'A' as u32 + 10).to_string()
            }
        })
        .collect();
    let rem = numeric
        .bytes()
        .fold(0u64, |r, b| (r * 10 + u64::from(b - b'0')) % 97);
    format!("GB{:02}{bban}", 98 - rem)
}

pub fn ssn(rng: &mut ChaCha8Rng, valid: bool) -> String {
    if valid {
        let area = loop {
            let a = rng.random_range(1..900);
            if a != 666 {
                break a;
            }
        };
        format!(
            "{area:03}-{:02}-{:04}",
            rng.random_range(1..100),
            rng.random_range(1..10000)
        )
    } else {
        format!(
            "{:03}-{:02}-{:04}",
            rng.random_range(900..1000),
            rng.random_range(0..100),
            rng.random_range(0..10000)
        )
    }
}

pub fn generate(rows: usize, seed: u64) -> PiiTable {
    use SemanticType::*;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let cols: Vec<(&'static str, Option<SemanticType>)> = vec![
        ("full_name", Some(PersonName)),
        ("first_name", Some(FirstName)),
        ("last_name", Some(LastName)),
        ("email", Some(Email)),
        ("contact", Some(Email)),
        ("phone", Some(Phone)),
        ("ssn", Some(Ssn)),
        ("card_number", Some(CreditCard)),
        ("iban", Some(Iban)),
        ("ip_address", Some(IpAddress)),
        ("x1", Some(IpAddress)),
        ("street_address", Some(StreetAddress)),
        ("city", Some(City)),
        ("zip", Some(PostalCode)),
        ("mrn", Some(MedicalRecordNumber)),
        ("account_number", Some(AccountNumber)),
        ("date_of_birth", Some(DateOfBirth)),
        ("record_uuid", Some(Uuid)),
        ("website", Some(Url)),
        ("notes", Some(FreeText)),
        ("product_code", None),
        ("order_number", None),
        ("price", None),
        ("created_at", None),
        ("quantity", None),
        ("status", None),
        ("part_number", None),
        ("version", None),
        ("sku", None),
    ];
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        let first: String = person::FirstName().fake_with_rng(&mut rng);
        let last: String = person::LastName().fake_with_rng(&mut rng);
        let row = vec![
            format!(
                "{} {}",
                person::FirstName().fake_with_rng::<String, _>(&mut rng),
                person::LastName().fake_with_rng::<String, _>(&mut rng)
            ),
            first,
            last,
            SafeEmail().fake_with_rng(&mut rng),
            SafeEmail().fake_with_rng(&mut rng),
            match i % 3 {
                0 => format!(
                    "({}) {}-{:04}",
                    rng.random_range(201..990),
                    rng.random_range(200..1000),
                    rng.random_range(0..10000)
                ),
                1 => format!(
                    "{}-{}-{:04}",
                    rng.random_range(201..990),
                    rng.random_range(200..1000),
                    rng.random_range(0..10000)
                ),
                _ => format!(
                    "+1 {}.{}.{:04}",
                    rng.random_range(201..990),
                    rng.random_range(200..1000),
                    rng.random_range(0..10000)
                ),
            },
            ssn(&mut rng, i % 10 != 0),
            luhn_complete("4", &mut rng, i % 10 != 0),
            iban(&mut rng),
            format!(
                "{}.{}.{}.{}",
                rng.random_range(1..255),
                rng.random_range(0..256),
                rng.random_range(0..256),
                rng.random_range(1..255)
            ),
            format!(
                "10.{}.{}.{}",
                rng.random_range(0..256),
                rng.random_range(0..256),
                rng.random_range(1..255)
            ),
            format!(
                "{} {} {}",
                rng.random_range(1..9999),
                StreetName().fake_with_rng::<String, _>(&mut rng),
                StreetSuffix().fake_with_rng::<String, _>(&mut rng)
            ),
            CityName().fake_with_rng(&mut rng),
            format!("{:05}", rng.random_range(501..99951)),
            format!("MRN-{:07}", rng.random_range(0..10_000_000)),
            format!("ACCT{:08}", rng.random_range(0..100_000_000)),
            format!(
                "{}-{:02}-{:02}",
                rng.random_range(1930..2015),
                rng.random_range(1..13),
                rng.random_range(1..29)
            ),
            {
                let h: String = (0..32)
                    .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap())
                    .collect();
                format!(
                    "{}-{}-4{}-a{}-{}",
                    &h[0..8],
                    &h[8..12],
                    &h[13..16],
                    &h[17..20],
                    &h[20..32]
                )
            },
            format!(
                "https://www.example.com/u/{}",
                rng.random_range(0..1_000_000)
            ),
            Sentence(4..12).fake_with_rng(&mut rng),
            format!("PRD-{:05}", 10_000 + i),
            format!("{}", 100_000_000 + i * 7),
            format!("{:.2}", rng.random_range(1.0..500.0)),
            format!(
                "2024-{:02}-{:02} {:02}:{:02}:00",
                rng.random_range(1..13),
                rng.random_range(1..29),
                rng.random_range(0..24),
                rng.random_range(0..60)
            ),
            format!("{}", rng.random_range(1..20)),
            ["shipped", "pending", "returned", "cancelled"][rng.random_range(0..4)].to_string(),
            ssn(&mut rng, false),
            format!(
                "{}.{}.{}",
                rng.random_range(0..5),
                rng.random_range(0..20),
                rng.random_range(0..50)
            ),
            format!(
                "SK-{}{}-{:04}",
                char::from(b'A' + rng.random_range(0..26u8)),
                char::from(b'A' + rng.random_range(0..26u8)),
                rng.random_range(0..10000)
            ),
        ];
        out.push(row);
    }
    PiiTable {
        names: cols.iter().map(|c| c.0).collect(),
        expected: cols.iter().map(|c| c.1).collect(),
        rows: out,
    }
}

impl PiiTable {
    pub fn to_csv(&self, delimiter: u8) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        w.write_record(&self.names).unwrap();
        for r in &self.rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    }
}
