//! The one pipeline under attack: what the CLI, the relay and the page run, end to end,
//! on tables too small to release much, with planted values and non-ASCII text.

use shared::export::{ExportOptions, OutputFormat};
use shared::pipeline::{self, InspectOptions, Scoring, Synthesis};

/// A value planted k_min − 1 times, and a unique one in full-width digits: neither may
/// reach the SafeProfile, the re-guarded SafeProfile or a synthetic byte.
const PLANTED: &str = "Zyxwvut Sentinelsson";
const UNIQUE: &str = "ＩＤ－７７３４９１";

fn table(n: usize) -> String {
    let mut csv = String::from("name,ward,age,admitted,note\n");
    for r in 0..n {
        let name = if r < 4 {
            PLANTED.to_string()
        } else {
            format!("Ärzte Ünal {r}")
        };
        let ward = ["A", "B", "C"][r % 3];
        let note = if r == n / 2 {
            UNIQUE.to_string()
        } else {
            format!("überwiesen {r}")
        };
        csv += &format!(
            "{name},{ward},{},2024-0{}-1{},{note}\n",
            30 + r * 3 % 47,
            1 + r % 9,
            r % 10
        );
    }
    csv
}

#[test]
fn tiny_tables_go_through_every_step_without_a_panic_or_a_planted_value() {
    for n in 1..=20 {
        for seed in [1, 2, 3] {
            let csv = table(n);
            let real = pipeline::inspect(
                csv.as_bytes(),
                "tiny.csv",
                &InspectOptions::with_guard_seed(seed),
            )
            .unwrap_or_else(|e| panic!("n={n}: {e}"));
            // The reading side saw the planted values; only the guard stands between.
            let local = serde_json::to_string(&real.profile).unwrap();
            assert!(local.contains(PLANTED) && local.contains(UNIQUE), "n={n}");
            let (again, _) = pipeline::reguard(&real.safe).unwrap();
            for released in [&real.safe, &again] {
                let json = serde_json::to_string(released).unwrap();
                for planted in [PLANTED, UNIQUE, "Sentinelsson", "７７３４９１"] {
                    assert!(!json.contains(planted), "n={n}: {planted} released");
                }
            }
            let spec = pipeline::template_spec(&again, Default::default());
            let synthesis = Synthesis::new(spec, Some(50), seed).unwrap();
            let mut exporter = synthesis
                .exporter(OutputFormat::Csv, ExportOptions::default(), Vec::new())
                .unwrap();
            let mut first = None;
            for range in synthesis.ranges() {
                let chunk = synthesis
                    .render_kept(range, OutputFormat::Csv, &ExportOptions::default())
                    .unwrap();
                chunk.write_to(&mut exporter).unwrap();
                first.get_or_insert(chunk.into_table().unwrap());
            }
            let bytes = exporter.finish().unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert_eq!(text.lines().count(), 51, "n={n}");
            for planted in [PLANTED, UNIQUE, "Sentinelsson", "７７３４９１"] {
                assert!(!text.contains(planted), "n={n}: {planted} in the output");
            }
            let report = pipeline::score(&real, &first.unwrap(), seed, Scoring::Full);
            assert_eq!(report.privacy.withheld.occurrences, 0, "n={n}");
        }
    }
}
