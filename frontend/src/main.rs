//! The page's entry point: mounts the app.

fn main() {
    leptos::mount::mount_to_body(frontend::App);
}
