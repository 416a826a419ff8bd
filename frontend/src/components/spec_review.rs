//! The relay's spec, shown before anything is generated: the user reads it, may edit
//! it, and sees the compiler's messages as they type, each with its line and column and
//! the line itself marked below the editor.

use crate::actions;
use crate::state::{Card, Review};
use leptos::prelude::*;

/// The spec editor with live validation.
#[component]
pub fn SpecReview(card: Card, review: Review) -> impl IntoView {
    let problems = Memo::new(move |_| actions::check_spec(&review.text.get()));
    let id = format!("file-{}-spec", card.id);
    let source = review.request.with_value(|r| r.spec_source.to_string());
    let editor = NodeRef::<leptos::html::Textarea>::new();
    // Focus moves to what appeared.
    Effect::new(move |_| {
        if let Some(editor) = editor.get() {
            let _ = editor.focus();
        }
    });
    let show_line = move |line: usize| {
        let Some(editor) = editor.get_untracked() else {
            return;
        };
        let text = review.text.get_untracked();
        let (start, end) = line_span(&text, line);
        let _ = editor.focus();
        let _ = editor.set_selection_range(start, end);
    };
    view! {
        <section class="review" aria-label="Review the spec">
            <h3>"The spec from the relay"</h3>
            <p class="small">
                {format!("Written by {source}. It holds no row of your file, only what the SafeProfile said. Edit it if you like; it is checked as you type.")}
            </p>
            <label for=id.clone() class="visually-hidden">"Spec (JSON)"</label>
            <textarea
                id=id
                node_ref=editor
                class="json spec-editor"
                spellcheck="false"
                rows="18"
                prop:value=move || review.text.get()
                on:input=move |ev| review.text.set(event_target_value(&ev))
            ></textarea>
            {move || {
                let p = problems.get();
                if p.is_empty() {
                    view! { <p class="valid small" role="status">"The spec is valid."</p> }.into_any()
                } else {
                    let text = review.text.get();
                    view! {
                        <ul class="problems" role="alert">
                            {p.into_iter().map(|problem| {
                                let marked = problem.at.map(|(line, column)| {
                                    let (shown, caret) = excerpt(&text, line, column);
                                    view! {
                                        <pre class="bad-line" aria-label=format!("Line {line}")>
                                            <span class="line-number">{format!("{line:>4} │ ")}</span>
                                            <mark>{shown}</mark>
                                            {format!("\n       {}^", " ".repeat(caret))}
                                        </pre>
                                        <button type="button" class="link show-line" on:click=move |_| show_line(line)>
                                            {format!("Select line {line} in the editor")}
                                        </button>
                                    }
                                });
                                view! { <li><span class="message">{problem.message}</span>{marked}</li> }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            <div class="actions">
                <button type="button" class="primary use-spec" disabled=move || !problems.get().is_empty()
                    on:click=move |_| actions::accept_review(card)>
                    "Generate with this spec"
                </button>
                <button type="button" class="secondary" on:click=move |_| actions::discard_review(card)>
                    "Discard"
                </button>
            </div>
        </section>
    }
}

/// The UTF-16 offsets (a textarea's selection unit) of line `line` (1-based) of `text`.
fn line_span(text: &str, line: usize) -> (u32, u32) {
    let mut start = 0u32;
    for (i, l) in text.split('\n').enumerate() {
        let len = l.encode_utf16().count() as u32;
        if i + 1 == line {
            return (start, start + len);
        }
        start += len + 1;
    }
    (start, start)
}

/// Characters shown each side of a problem's column: a minified spec is one long line.
const EXCERPT: usize = 60;

/// The part of line `line` around `column` (both 1-based), and where the column falls
/// in it.
fn excerpt(text: &str, line: usize, column: usize) -> (String, usize) {
    let whole: Vec<char> = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .chars()
        .collect();
    let at = column.saturating_sub(1).min(whole.len());
    let from = at.saturating_sub(EXCERPT);
    let to = (at + EXCERPT).min(whole.len());
    let mut shown: String = whole[from..to].iter().collect();
    if from > 0 {
        shown.insert(0, '…');
    }
    if to < whole.len() {
        shown.push('…');
    }
    (shown, at - from + usize::from(from > 0))
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn a_long_line_is_shown_around_its_column() {
        assert_eq!(
            excerpt("{\n  \"version\": 7\n}", 2, 14),
            ("  \"version\": 7".into(), 13)
        );
        let long = format!("{{{}}}", "\"a\": 1, ".repeat(10_000));
        let (shown, caret) = excerpt(&long, 1, 50_000);
        assert_eq!(shown.chars().count(), 2 * 60 + 2);
        assert_eq!(caret, 61);
        // Places past the text (line 0, a column past the end) show what there is.
        assert_eq!(excerpt("ab", 0, 99), ("ab".into(), 2));
        assert_eq!(excerpt("ab", 5, 1), (String::new(), 0));
    }
}
