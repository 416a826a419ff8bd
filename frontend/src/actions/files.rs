//! Files on the page: adding dropped files and demos, choosing a sheet, removing a
//! card, showing its SafeProfile.

use crate::protocol::Request;
use crate::services::{download, relay, worker_bridge};
use crate::state::{AppState, Card, Life, Note, Step};
use leptos::prelude::*;

/// The demo datasets: (file stem, label). Their specs are `demo/STEM.spec.json`.
pub const DEMOS: [(&str, &str); 4] = [
    ("sales_data", "Sales Data"),
    ("customer_records", "Customer Records"),
    ("medical_records", "Medical Records (with PHI)"),
    ("financial_transactions", "Financial Transactions"),
];

fn new_card(state: AppState, name: String, size: u64) -> Card {
    let id = state.next_id.get_value();
    state.next_id.set_value(id + 1);
    let card = Card::new(id, name, size, state.defaults.fork());
    state.cards.update(|c| c.push(card));
    card
}

/// Adds dropped or chosen files: a card each, read in the worker at once. A file whose
/// name a card already has is named apart (`patients (2).csv`), so its card, its
/// outputs and the batch manifest never mix the two up.
pub fn add_files(state: AppState, files: web_sys::FileList) {
    for i in 0..files.length() {
        let Some(mut file) = files.get(i) else {
            continue;
        };
        let taken: Vec<String> = state
            .cards
            .with_untracked(|cards| cards.iter().map(|c| c.name.get_value()).collect());
        let name = distinct_name(&taken, &file.name());
        if name != file.name()
            && let Some(renamed) = renamed(&file, &name)
        {
            file = renamed;
        }
        let card = new_card(state, file.name(), file.size() as u64);
        worker_bridge::add_file(card.id, file);
        worker_bridge::send(Request::Inspect {
            id: card.id,
            sheet: None,
            guard_seed: guard_seed(),
        });
    }
}

/// The page's `?guard_seed=N`: the guard's seed, fixed so the page's SafeProfile of a
/// file is `byod profile --guard-seed N`'s byte for byte (to check or reproduce one).
/// Without it every reading draws a fresh seed.
fn guard_seed() -> Option<u64> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("guard_seed="))
        .and_then(|v| v.parse().ok())
}

/// `name`, or `stem (2).ext`, `stem (3).ext`... the first no card has.
fn distinct_name(taken: &[String], name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{stem} ({n}){ext}");
        n += 1;
    }
    candidate
}

/// The same bytes under another name (a `File` over the same data: nothing is copied).
fn renamed(file: &web_sys::File, name: &str) -> Option<web_sys::File> {
    let parts = js_sys::Array::of1(file);
    let options = web_sys::FilePropertyBag::new();
    options.set_type(&file.type_());
    options.set_last_modified(file.last_modified());
    web_sys::File::new_with_blob_sequence_and_options(&parts, name, &options).ok()
}

/// Adds a demo file: its spec is fetched from the page's own folder and the worker makes
/// the rows.
pub fn add_demo(state: AppState, stem: &'static str) {
    let card = new_card(state, format!("{stem}.csv"), 0);
    leptos::task::spawn_local(async move {
        match relay::static_text(&format!("demo/{stem}.spec.json")).await {
            Ok(spec) => worker_bridge::send(Request::Demo {
                id: card.id,
                name: format!("{stem}.csv"),
                spec,
            }),
            Err(e) => card.life.set(Life::Unreadable(format!(
                "the demo's spec could not be loaded: {e}"
            ))),
        }
    });
}

/// Reads the file again with another sheet.
pub fn choose_sheet(card: Card, sheet: String) {
    card.step(Step::Rereading);
    card.note.set(None);
    card.llm_approved.set(false);
    worker_bridge::send(Request::Inspect {
        id: card.id,
        sheet: Some(sheet),
        guard_seed: guard_seed(),
    });
}

/// Removes a file from the page (and from the worker).
pub fn remove(state: AppState, card: Card) {
    worker_bridge::send(Request::Forget { id: card.id });
    if let Some(out) = card.output.get_untracked() {
        out.urls().iter().for_each(|u| download::revoke(u));
    }
    if let Some(url) = card.metadata_url.get_untracked() {
        download::revoke(&url);
    }
    state.cards.update(|c| c.retain(|c| c.id != card.id));
}

/// Shows the SafeProfile and prepares its download.
pub fn toggle_metadata(card: Card) {
    let open = !card.metadata_open.get_untracked();
    card.metadata_open.set(open);
    if open
        && card.metadata_url.get_untracked().is_none()
        && let Some(info) = card.info.get_untracked()
    {
        match download::text_url(&info.safe_profile, "application/json") {
            Ok(url) => card.metadata_url.set(Some(url)),
            Err(e) => card.say(Note::Error(format!("cannot prepare the download: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::distinct_name;

    #[test]
    fn a_second_file_of_the_same_name_is_numbered() {
        let taken = vec!["patients.csv".to_string(), "patients (2).csv".to_string()];
        assert_eq!(distinct_name(&taken, "patients.csv"), "patients (3).csv");
        assert_eq!(distinct_name(&taken, "other.csv"), "other.csv");
        assert_eq!(distinct_name(&["README".into()], "README"), "README (2)");
        assert_eq!(distinct_name(&[".env".into()], ".env"), ".env (2)");
        assert_eq!(
            distinct_name(&["a.tar.gz".into()], "a.tar.gz"),
            "a.tar (2).gz"
        );
    }
}
