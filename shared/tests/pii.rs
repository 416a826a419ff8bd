//! PII detection on a generated table: column-level precision and recall ≥ 0.95.

use crate::common;
use common::pii;

#[test]
fn pii_detection_precision_and_recall() {
    let t = pii::generate(400, 7);
    let table = shared::read(&t.to_csv(b','), "patients.csv", &Default::default()).unwrap();
    let p = shared::profile(&table);
    let (mut tp, mut predicted, mut actual) = (0, 0, 0);
    let mut misses = Vec::new();
    for (c, expected) in p.columns.iter().zip(&t.expected) {
        let got = c.semantic.map(|s| s.kind);
        predicted += usize::from(got.is_some());
        actual += usize::from(expected.is_some());
        if got.is_some() && got == *expected {
            tp += 1;
        } else if got != *expected {
            misses.push(format!(
                "{}: expected {:?}, got {:?}",
                c.name, expected, got
            ));
        }
    }
    let precision = tp as f64 / predicted.max(1) as f64;
    let recall = tp as f64 / actual.max(1) as f64;
    println!(
        "PII detection over {} columns: precision {precision:.3}, recall {recall:.3}",
        p.columns.len()
    );
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}: {misses:?}"
    );
}
