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

/// The relay's server and the page make specs and output from SafeProfiles; the
/// reading side reaches them only through the core's pipeline and contracts. (Was: the
/// `/api/spec` route called `shared::guard::recheck` itself.)
#[test]
fn the_relay_and_the_page_reach_the_reading_side_only_through_the_pipeline() {
    const READING: [&str; 8] = [
        "shared::guard",
        "shared::profile",
        "shared::ingest",
        "shared::read(",
        "shared::GuardOptions",
        "shared::IngestOptions",
        "shared::Profile",
        "shared_reading",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut stack = vec![root.join("relay/src/server"), root.join("frontend/src")];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for name in READING {
                    assert!(
                        !text.contains(name),
                        "{} names {name}: go through shared::pipeline",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(files > 20, "only {files} files scanned");
}
