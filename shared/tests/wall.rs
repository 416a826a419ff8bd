//! The privacy wall as a build fact: reading (ingest, profile, guard) and making
//! (template, spec, plan, generate, export) are separate crates, and neither may depend
//! on the other. The compiler refuses a making module that names a reading type as
//! long as the manifests keep them apart; this test fails if someone joins them.

use std::path::Path;

/// The crate names a manifest depends on, in any dependency table.
fn dependencies(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest))
        .unwrap_or_else(|e| panic!("{manifest}: {e}"));
    let mut in_dependencies = false;
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line.contains("dependencies");
            continue;
        }
        if in_dependencies
            && let Some((name, _)) = line.split_once('=')
            && !name.trim().is_empty()
            && !name.trim().starts_with('#')
        {
            names.push(name.trim().to_string());
        }
    }
    names
}

#[test]
fn making_cannot_name_reading_types() {
    let making = dependencies("making/Cargo.toml");
    assert!(making.contains(&"shared-base".to_string()), "{making:?}");
    assert!(
        !making
            .iter()
            .any(|d| d == "shared-reading" || d == "shared"),
        "shared-making depends on the reading side: {making:?}"
    );
}

#[test]
fn reading_cannot_name_making_types() {
    let reading = dependencies("reading/Cargo.toml");
    assert!(reading.contains(&"shared-base".to_string()), "{reading:?}");
    assert!(
        !reading
            .iter()
            .any(|d| d == "shared-making" || d == "shared"),
        "shared-reading depends on the making side: {reading:?}"
    );
}

#[test]
fn the_ground_floor_depends_on_neither_side() {
    let base = dependencies("base/Cargo.toml");
    assert!(
        !base.iter().any(|d| d.starts_with("shared")),
        "shared-base depends on a side of the wall: {base:?}"
    );
}
