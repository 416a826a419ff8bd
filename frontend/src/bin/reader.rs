//! The reader's entry point (a third Trunk target, `data-type="worker"`): the small
//! worker that reads the first files while the full one downloads.

fn main() {
    frontend::worker::start_reader();
}
