//! `semantic`: realistic made-up personal data (names, emails, addresses, phone
//! numbers, card numbers, IBANs...) from the `fake` crate's English pools and our own
//! check-digit generators. Nothing to compile: the spec names the kind.

use super::pattern::from_shape;
use crate::generate::Rng;
use crate::spec::Fake;
use fake::Fake as _;
use rand::RngExt;

pub(crate) fn fake_value(kind: Fake, rng: &mut Rng) -> String {
    use fake::faker::address::en::{BuildingNumber, CityName, StreetName, StreetSuffix};
    use fake::faker::company::en::CompanyName;
    use fake::faker::internet::en::{IPv4, SafeEmail};
    use fake::faker::lorem::en::{Sentence, Word};
    use fake::faker::name::en::{FirstName, LastName, Name};
    use fake::faker::phone_number::en::PhoneNumber;
    match kind {
        Fake::FullName => Name().fake_with_rng(rng),
        Fake::FirstName => FirstName().fake_with_rng(rng),
        Fake::LastName => LastName().fake_with_rng(rng),
        Fake::Email => SafeEmail().fake_with_rng(rng),
        Fake::Phone => PhoneNumber().fake_with_rng(rng),
        Fake::StreetAddress => format!(
            "{} {} {}",
            BuildingNumber().fake_with_rng::<String, _>(rng),
            StreetName().fake_with_rng::<String, _>(rng),
            StreetSuffix().fake_with_rng::<String, _>(rng)
        ),
        Fake::City => CityName().fake_with_rng(rng),
        // fake's en ZipCode mixes 3- to 5-digit forms; US ZIP codes have five digits.
        Fake::PostalCode => from_shape(&['9'; 5], rng),
        Fake::Company => CompanyName().fake_with_rng(rng),
        Fake::Sentence => Sentence(3..9).fake_with_rng(rng),
        Fake::Ipv4 => IPv4().fake_with_rng(rng),
        Fake::Url => format!(
            "https://www.example.com/{}",
            Word().fake_with_rng::<String, _>(rng)
        ),
        Fake::CreditCard => card_number(rng),
        Fake::Iban => iban(rng),
    }
}

/// `4xxx xxxx xxxx xxxx` with a Luhn check digit (fake has no seeded, checksummed
/// card generator in the format we want).
fn card_number(rng: &mut Rng) -> String {
    let mut digits: Vec<u32> = vec![4];
    digits.extend((0..14).map(|_| rng.random_range(0..10u32)));
    // Luhn: double every second digit from the right, counting the check digit as 1st.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 0, d * 2) {
            (true, x) if x > 9 => x - 9,
            (true, x) => x,
            (false, _) => d,
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    let s: String = digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// `GB` + check digits + a four-letter bank code + 14 digits, valid under ISO 13616.
fn iban(rng: &mut Rng) -> String {
    let bank: String = (0..4)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect();
    let account: String = (0..14)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    // Check digits: 98 − (BBAN + "GB00" as digits, A = 10 … Z = 35) mod 97.
    let rem = format!("{bank}{account}GB00").chars().fold(0u64, |r, c| {
        let v = c.to_digit(36).map_or(0, u64::from);
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    });
    format!("GB{:02}{bank}{account}", 98 - rem)
}
