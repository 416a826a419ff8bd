//! The page's demo datasets (`public/demo/*.spec.json`): each is a spec our own engine
//! turns into a few thousand rows of made-up data. The medical one must trip every PII
//! detector, and the guard must keep every one of its personal values in.

use shared::SemanticType;
use shared::spec::Spec;

const DEMOS: [&str; 4] = [
    "sales_data",
    "customer_records",
    "medical_records",
    "financial_transactions",
];

fn demo(name: &str) -> shared::Table {
    let path = format!(
        "{}/../public/demo/{name}.spec.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let json = std::fs::read_to_string(&path).unwrap();
    let spec = Spec::from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
    let plan = shared::plan::compile(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(plan.warnings.is_empty(), "{name}: {:?}", plan.warnings);
    shared::generate::generate(&plan, 1, plan.default_rows, 0..plan.default_rows)
}

/// The table as a CSV file and read back, as the page does with a demo.
fn as_file(t: &shared::Table) -> shared::Table {
    let csv = shared::export::to_bytes(t, shared::export::OutputFormat::Csv, &Default::default())
        .unwrap();
    shared::read(&csv, "demo.csv", &Default::default()).unwrap()
}

/// The table as CSV with the first email replaced.
fn as_file_with_email(t: &shared::Table, email: &str) -> shared::Table {
    let csv = shared::export::to_bytes(t, shared::export::OutputFormat::Csv, &Default::default())
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    let first = text.lines().nth(1).unwrap();
    let old = first.split(',').find(|f| f.contains('@')).unwrap();
    let text = text.replacen(old, email, 1);
    shared::read(text.as_bytes(), "demo.csv", &Default::default()).unwrap()
}

#[test]
fn every_demo_makes_a_few_thousand_rows_that_read_back() {
    for name in DEMOS {
        let t = as_file(&demo(name));
        assert!(
            (2_000..=5_000).contains(&t.total_rows),
            "{name}: {}",
            t.total_rows
        );
        assert!(t.columns.len() >= 10, "{name}");
        assert!(t.warnings.is_empty(), "{name}: {:?}", t.warnings);
        // The SafeProfile's shares are shares.
        let (safe, _) = shared::guard(&shared::profile(&t), &Default::default());
        for c in &safe.columns {
            for s in c.text.iter().flat_map(|t| &t.shapes) {
                assert!((0.0..=1.0).contains(&s.share), "{name}.{}: {s:?}", c.name);
            }
        }
    }
}

#[test]
fn the_medical_demo_trips_every_pii_detector_and_the_guard_keeps_its_values_in() {
    use SemanticType::*;
    let table = as_file(&demo("medical_records"));
    let profile = shared::profile(&table);
    let found: Vec<SemanticType> = profile
        .columns
        .iter()
        .filter_map(|c| c.semantic.map(|s| s.kind))
        .collect();
    for kind in [
        PersonName,
        FirstName,
        LastName,
        Email,
        Phone,
        StreetAddress,
        City,
        PostalCode,
        Ssn,
        CreditCard,
        Iban,
        IpAddress,
        Url,
        Uuid,
        MedicalRecordNumber,
        AccountNumber,
        DateOfBirth,
        FreeText,
    ] {
        assert!(found.contains(&kind), "{kind:?} not detected: {found:?}");
    }
    let (safe, withheld) = shared::guard(&profile, &Default::default());
    let sent = serde_json::to_string(&safe).unwrap();
    for (c, s) in profile.columns.iter().zip(&safe.columns) {
        let Some(semantic) = c.semantic else { continue };
        assert!(s.sensitive, "{} ({semantic:?}) is not sensitive", c.name);
        assert!(
            withheld.iter().any(|w| w.column == c.name),
            "nothing of {} was withheld",
            c.name
        );
        if c.logical != shared::LogicalType::Text {
            continue;
        }
        // No value of a personal column (ten of its most frequent) reaches the
        // SafeProfile.
        for v in c.top_values.iter().take(10) {
            assert!(!sent.contains(&v.value), "{}: {:?} left", c.name, v.value);
        }
    }
    // The demo's emails are at example.org/.com/.net, which the generator makes up
    // itself, so they are not searched for; a real address is.
    let values = shared::guard::withheld_values(&profile, &safe);
    assert!(values.iter().all(|v| !v.contains('@')), "{values:?}");
    let real = as_file_with_email(&demo("medical_records"), "a.roe@hospital-mail.net");
    let profile = shared::profile(&real);
    let (safe, _) = shared::guard(&profile, &Default::default());
    let values = shared::guard::withheld_values(&profile, &safe);
    assert!(
        values.contains(&"a.roe@hospital-mail.net".to_string()),
        "{values:?}"
    );
}
