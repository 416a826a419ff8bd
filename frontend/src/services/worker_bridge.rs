//! The UI thread's side of the workers: starts them, routes each request to one,
//! attaches each file's `File` to the requests about it, and turns a crash into a
//! per-file error plus a fresh worker, so one bad file never stops the others.
//!
//! Two workers, so a first visit downloads little: the *reader* (a small module that
//! reads, profiles and guards text files) starts with the page and reads the files
//! dropped before the *full* worker (every step, every format) is ready; the full one
//! is fetched once the reader has read a file, or at once when a request needs it.
//! Once the full worker is ready it reads everything, and an idle reader is stopped.

use crate::protocol::{Event, FileId, Request};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where events go: the event, and its attachment (the output Blob, or null).
pub type Listener = Rc<dyn Fn(Event, JsValue)>;

/// Which worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Reader,
    Full,
}

impl Kind {
    /// The worker scripts Trunk writes (`data-loader-shim` on the worker targets).
    fn url(self) -> &'static str {
        match self {
            Kind::Reader => "./reader_loader.js",
            Kind::Full => "./worker_loader.js",
        }
    }
}

/// One running worker.
struct Handle {
    worker: Worker,
    /// Which worker this is: events from a replaced one are ignored.
    generation: u32,
    /// Messages posted before the worker said Ready: a worker drops messages that
    /// arrive while its wasm is still loading.
    queue: Option<Vec<js_sys::Array>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Handle {
    fn send(&mut self, message: js_sys::Array) {
        match &mut self.queue {
            Some(queue) => queue.push(message),
            None => post(&self.worker, &message),
        }
    }

    fn is_ready(&self) -> bool {
        self.queue.is_none()
    }
}

/// A request a worker is working on.
#[derive(Clone)]
struct InFlight {
    /// Which step it is at (said if the worker dies).
    step: Step,
    /// The message (sent again to a new worker when one file's reading is stopped, or
    /// to the full worker when the reader declines the file).
    message: js_sys::Array,
    on: Kind,
}

struct Bridge {
    reader: Option<Handle>,
    full: Option<Handle>,
    /// The last generation given to a worker.
    generation: u32,
    files: HashMap<FileId, File>,
    in_flight: HashMap<FileId, InFlight>,
    listener: Listener,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

/// What the worker is doing for a file: a worker that dies says what failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Reading,
    Generating,
    Scoring,
    MakingDemo,
    Zipping,
}

impl Step {
    /// What failed and what to try, for the card.
    fn failure(self, message: &str) -> String {
        let (what, advice) = match self {
            Step::Reading => (
                "reading and profiling this file",
                "it may be too large for this browser's memory, or damaged; try a sample of it, or `byod profile` on this machine",
            ),
            Step::Generating => (
                "generating the rows",
                "try fewer rows, or `byod generate` on this machine",
            ),
            Step::Scoring => (
                "scoring the synthetic rows",
                "the synthetic file was made and its download is ready; only the report could not be made in this browser (try `byod evaluate`)",
            ),
            Step::MakingDemo => ("making the demo file", "reload the page and try again"),
            Step::Zipping => ("zipping the batch", "download the files one by one"),
        };
        format!(
            "The worker stopped while {what} ({message}). {advice}. Other files are not affected."
        )
    }
}

/// Starts the reader; `listener` receives every event.
pub fn start(listener: Listener) -> Result<(), String> {
    BRIDGE.with_borrow_mut(|b| {
        let mut bridge = Bridge {
            reader: None,
            full: None,
            generation: 0,
            files: HashMap::new(),
            in_flight: HashMap::new(),
            listener,
        };
        bridge.handle(Kind::Reader)?;
        *b = Some(bridge);
        Ok(())
    })
}

impl Bridge {
    /// The running worker of this kind, started if there is none.
    fn handle(&mut self, kind: Kind) -> Result<&mut Handle, String> {
        let slot = match kind {
            Kind::Reader => &mut self.reader,
            Kind::Full => &mut self.full,
        };
        if slot.is_none() {
            self.generation += 1;
            *slot = Some(spawn(kind, self.generation)?);
        }
        Ok(slot.as_mut().expect("just started"))
    }

    fn kind_of(&self, generation: u32) -> Option<Kind> {
        let is = |h: &Option<Handle>| h.as_ref().is_some_and(|h| h.generation == generation);
        if is(&self.reader) {
            Some(Kind::Reader)
        } else if is(&self.full) {
            Some(Kind::Full)
        } else {
            None
        }
    }

    fn take(&mut self, kind: Kind) -> Option<Handle> {
        match kind {
            Kind::Reader => self.reader.take(),
            Kind::Full => self.full.take(),
        }
    }

    /// Sends a message to a worker of this kind, noting the work it starts; a worker
    /// that cannot be started fails the request at once.
    fn dispatch(&mut self, kind: Kind, id: FileId, step: Option<Step>, message: js_sys::Array) {
        match self.handle(kind) {
            Ok(handle) => {
                handle.send(message.clone());
                if let Some(step) = step {
                    self.in_flight.insert(
                        id,
                        InFlight {
                            step,
                            message,
                            on: kind,
                        },
                    );
                }
            }
            Err(e) => {
                if step.is_some() {
                    let listener = self.listener.clone();
                    let message = step.map_or(e.clone(), |s| s.failure(&e));
                    // Delivered after the borrow ends.
                    wasm_bindgen_futures::spawn_local(async move {
                        listener(Event::Failed { id, message }, JsValue::NULL);
                    });
                }
            }
        }
    }

    /// Where a request goes: reading to whichever worker is ready (the full one once
    /// it is), everything else to the full worker.
    fn route(&self, request: &Request) -> Kind {
        match request {
            Request::Inspect { .. } if !self.full.as_ref().is_some_and(Handle::is_ready) => {
                Kind::Reader
            }
            _ => Kind::Full,
        }
    }

    /// Stops the reader once the full worker reads everything and the reader has
    /// nothing left to do: its memory grew with the largest file it read.
    fn retire_idle_reader(&mut self) {
        let full_ready = self.full.as_ref().is_some_and(Handle::is_ready);
        let reader_busy = self.in_flight.values().any(|f| f.on == Kind::Reader);
        if full_ready
            && !reader_busy
            && let Some(reader) = self.reader.take()
        {
            reader.worker.terminate();
        }
    }
}

fn spawn(kind: Kind, generation: u32) -> Result<Handle, String> {
    let worker = Worker::new(kind.url()).map_err(|e| format!("cannot start the worker: {e:?}"))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = js_sys::Array::from(&e.data());
        let json = data.get(0).as_string().unwrap_or_default();
        match serde_json::from_str::<Event>(&json) {
            Ok(Event::Crashed { message }) => crashed(generation, &message),
            Ok(event) => deliver(generation, event, data.get(1)),
            Err(e) => crashed(
                generation,
                &format!("unreadable message from the worker: {e}"),
            ),
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        e.prevent_default();
        crashed(generation, &e.message());
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Handle {
        worker,
        generation,
        queue: Some(Vec::new()),
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn deliver(generation: u32, event: Event, attachment: JsValue) {
    let listener = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        let kind = b.kind_of(generation)?;
        match &event {
            Event::Ready => {
                let handle = b.handle(kind).ok()?;
                for message in handle.queue.take().unwrap_or_default() {
                    post(&handle.worker, &message);
                }
                b.retire_idle_reader();
                return None;
            }
            Event::NeedsFullWorker { id } => {
                if let Some(f) = b.in_flight.remove(id) {
                    b.dispatch(Kind::Full, *id, Some(f.step), f.message);
                }
                return None;
            }
            _ => {}
        }
        if let Some(id) = event.file() {
            if event.ends_request() {
                b.in_flight.remove(&id);
            } else if let (Event::Generated { .. }, Some(f)) = (&event, b.in_flight.get_mut(&id)) {
                // The download is out; what follows is the report.
                f.step = Step::Scoring;
            }
        }
        if kind == Kind::Reader && event.ends_request() && b.full.is_none() {
            prefetch_full();
        }
        b.retire_idle_reader();
        Some(b.listener.clone())
    });
    if let Some(listener) = listener {
        listener(event, attachment);
    }
}

/// How long after the reader's first file the full worker is fetched: the page draws
/// the profile first, then the download starts, so Generate usually finds it ready.
const PREFETCH_DELAY_MS: i32 = 1500;

fn prefetch_full() {
    let start = Closure::once_into_js(|| {
        BRIDGE.with_borrow_mut(|b| {
            if let Some(b) = b.as_mut() {
                let _ = b.handle(Kind::Full);
            }
        })
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            start.unchecked_ref(),
            PREFETCH_DELAY_MS,
        );
    }
}

/// A worker died (a panic aborts wasm): every file it was working on gets the error;
/// the next request starts a new worker, and the files stay attached, so nothing else
/// is lost.
fn crashed(generation: u32, message: &str) {
    let failed = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        let kind = b.kind_of(generation)?;
        let handle = b.take(kind)?;
        handle.worker.terminate();
        let ids: Vec<FileId> = b
            .in_flight
            .iter()
            .filter(|(_, f)| f.on == kind)
            .map(|(id, _)| *id)
            .collect();
        let failed: Vec<(FileId, Step)> = ids
            .into_iter()
            .filter_map(|id| b.in_flight.remove(&id).map(|f| (id, f.step)))
            .collect();
        Some((b.listener.clone(), failed))
    });
    let Some((listener, failed)) = failed else {
        return;
    };
    for (id, step) in failed {
        listener(
            Event::Failed {
                id,
                message: step.failure(message),
            },
            JsValue::NULL,
        );
    }
}

/// Keeps a dropped file for the requests about it.
pub fn add_file(id: FileId, file: File) {
    BRIDGE.with_borrow_mut(|b| {
        if let Some(b) = b {
            b.files.insert(id, file);
        }
    });
}

/// Sends a request (with its file attached where the worker may need to read it).
pub fn send(request: Request) {
    send_with(request, JsValue::NULL);
}

/// Sends a Generate request whose output the worker writes as it is made to `target`:
/// a `FileSystemFileHandle`, or the `MessagePort` of a streamed download (see
/// [`super::disk`]).
pub fn send_saving(request: Request, target: JsValue) {
    send_message(request, JsValue::NULL, target);
}

/// Sends a Bundle request (the outputs' Blobs attached) whose ZIP the worker writes
/// as it is made to `target`, as [`send_saving`] says.
pub fn send_bundle(request: Request, blobs: JsValue, target: JsValue) {
    send_message(request, blobs, target);
}

/// Sends a request with an attachment of the page's own (the Blobs of a batch); the
/// requests about one file get its `File` attached here.
pub fn send_with(request: Request, attachment: JsValue) {
    send_message(request, attachment, JsValue::NULL);
}

/// A message is `[request JSON, attachment, where the output is written as made]`.
fn send_message(request: Request, attachment: JsValue, save_to: JsValue) {
    BRIDGE.with_borrow_mut(|b| {
        let Some(b) = b else { return };
        // (the file the request is about, whether it starts work that ends in an event)
        let (id, attach_file, starts) = match &request {
            Request::Inspect { id, .. } => (*id, true, Some(Step::Reading)),
            Request::Generate(g) => (g.id, true, Some(Step::Generating)),
            Request::Demo { id, .. } => (*id, false, Some(Step::MakingDemo)),
            Request::Bundle { .. } => (crate::protocol::BATCH, false, Some(Step::Zipping)),
            Request::Cancel { id } => (*id, false, None),
            Request::Forget { id } => {
                b.files.remove(id);
                b.in_flight.remove(id);
                (*id, false, None)
            }
            // Between workers only: the page has no range to render or measure.
            Request::RenderTask(_) | Request::RenderRange { .. } | Request::Measure { .. } => {
                return;
            }
        };
        let json = serde_json::to_string(&request).unwrap_or_default();
        let attachment = if attach_file {
            b.files.get(&id).map_or(JsValue::NULL, JsValue::from)
        } else {
            attachment
        };
        let message = js_sys::Array::of3(&JsValue::from_str(&json), &attachment, &save_to);
        match request {
            // Only the full worker keeps files and generates; a reader keeps nothing.
            Request::Cancel { .. } | Request::Forget { .. } => {
                if let Some(full) = b.full.as_mut() {
                    full.send(message);
                }
            }
            _ => {
                let kind = b.route(&request);
                b.dispatch(kind, id, starts, message);
            }
        }
    });
}

/// Stops reading a file. A worker reading a file cannot take a message until the pass
/// ends (reading is synchronous there), so that worker is stopped; the other files'
/// requests in flight on it are sent again to a new one (their work starts over), and
/// the files stay attached. Returns whether the file was being read.
pub fn stop_reading(id: FileId) -> bool {
    BRIDGE.with_borrow_mut(|b| {
        let Some(b) = b.as_mut() else { return false };
        let Some(kind) = b
            .in_flight
            .get(&id)
            .filter(|f| f.step == Step::Reading)
            .map(|f| f.on)
        else {
            return false;
        };
        b.in_flight.remove(&id);
        if let Some(handle) = b.take(kind) {
            handle.worker.terminate();
        }
        let others: Vec<(FileId, InFlight)> = b
            .in_flight
            .iter()
            .filter(|(_, f)| f.on == kind)
            .map(|(id, f)| (*id, f.clone()))
            .collect();
        for (other, f) in others {
            b.dispatch(kind, other, Some(f.step), f.message);
        }
        true
    })
}

/// Posts a message; the port of a streamed download in it is handed over (a port
/// cannot be copied).
fn post(worker: &Worker, message: &js_sys::Array) {
    let target = message.get(2);
    let posted = if target.is_instance_of::<web_sys::MessagePort>() {
        worker.post_message_with_transfer(message, &js_sys::Array::of1(&target))
    } else {
        worker.post_message(message)
    };
    if let Err(e) = posted {
        web_sys::console::error_1(&e);
    }
}
