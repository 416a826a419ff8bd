//! The worker's entry point (a second Trunk target, `data-type="worker"`).

fn main() {
    frontend::worker::start();
}
