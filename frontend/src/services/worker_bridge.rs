//! The UI thread's side of the worker: starts it, attaches each file's `File` to the
//! requests about it, and turns a crash into a per-file error plus a fresh worker, so one
//! bad file never stops the others.

use crate::protocol::{Event, FileId, Request};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{File, MessageEvent, Worker};

/// Where events go: the event, and its attachment (the output Blob, or null).
pub type Listener = Rc<dyn Fn(Event, JsValue)>;

/// The worker script Trunk writes (`data-loader-shim` on the worker target).
const WORKER_URL: &str = "./worker_loader.js";

struct Bridge {
    worker: Worker,
    /// Which worker this is: events from a replaced one are ignored.
    generation: u32,
    files: HashMap<FileId, File>,
    /// Files with work in the worker: which step it is at (said if it dies) and the
    /// request's message (sent again to a new worker when one file's reading is
    /// stopped).
    in_flight: HashMap<FileId, (Step, js_sys::Array)>,
    /// Messages posted before the worker said Ready: a worker drops messages that
    /// arrive while its wasm is still loading.
    queue: Option<Vec<js_sys::Array>>,
    listener: Listener,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
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

/// Starts the worker; `listener` receives every event.
pub fn start(listener: Listener) -> Result<(), String> {
    spawn(listener, HashMap::new(), 0)
}

fn spawn(listener: Listener, files: HashMap<FileId, File>, generation: u32) -> Result<(), String> {
    let worker = Worker::new(WORKER_URL).map_err(|e| format!("cannot start the worker: {e:?}"))?;
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
    BRIDGE.with_borrow_mut(|b| {
        *b = Some(Bridge {
            worker,
            generation,
            files,
            in_flight: HashMap::new(),
            queue: Some(Vec::new()),
            listener,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    Ok(())
}

fn deliver(generation: u32, event: Event, attachment: JsValue) {
    let listener = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut().filter(|b| b.generation == generation)?;
        if let Event::Ready = event {
            for message in b.queue.take().unwrap_or_default() {
                post(&b.worker, &message);
            }
        }
        if let Some(id) = event.file() {
            if event.ends_request() {
                b.in_flight.remove(&id);
            } else if let (Event::Generated { .. }, Some((step, _))) =
                (&event, b.in_flight.get_mut(&id))
            {
                // The download is out; what follows is the report.
                *step = Step::Scoring;
            }
        }
        Some(b.listener.clone())
    });
    if let Some(listener) = listener {
        listener(event, attachment);
    }
}

/// The worker died (a panic aborts wasm): every file it was working on gets the error,
/// and a new worker takes over; the files stay attached, so nothing else is lost.
fn crashed(generation: u32, message: &str) {
    let taken = BRIDGE.with_borrow_mut(|b| {
        let bridge = b.take_if(|b| b.generation == generation)?;
        bridge.worker.terminate();
        Some(bridge)
    });
    let Some(bridge) = taken else { return };
    let listener = bridge.listener.clone();
    let in_flight = bridge.in_flight.clone();
    let files = bridge.files;
    if let Err(e) = spawn(listener.clone(), files, generation + 1) {
        web_sys::console::error_1(&e.into());
    }
    for (id, (step, _)) in in_flight {
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

/// Sends a request with an attachment of the page's own (the Blobs of a batch); the
/// requests about one file get its `File` attached here.
pub fn send_with(request: Request, attachment: JsValue) {
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
        };
        let json = serde_json::to_string(&request).unwrap_or_default();
        let attachment = if attach_file {
            b.files.get(&id).map_or(JsValue::NULL, JsValue::from)
        } else {
            attachment
        };
        let message = js_sys::Array::of2(&JsValue::from_str(&json), &attachment);
        if let Some(step) = starts {
            b.in_flight.insert(id, (step, message.clone()));
        }
        b.send(message);
    });
}

impl Bridge {
    fn send(&mut self, message: js_sys::Array) {
        match &mut self.queue {
            Some(queue) => queue.push(message),
            None => post(&self.worker, &message),
        }
    }
}

/// Stops reading a file. A worker reading a file cannot take a message until the pass
/// ends (reading is synchronous there), so the worker is stopped and a new one takes
/// over; the other files' requests in flight are sent to it again (their work starts
/// over), and the files stay attached. Returns whether the file was being read.
pub fn stop_reading(id: FileId) -> bool {
    let taken = BRIDGE.with_borrow_mut(|b| {
        let reading = b
            .as_ref()
            .and_then(|b| b.in_flight.get(&id))
            .is_some_and(|(step, _)| *step == Step::Reading);
        if !reading {
            return None;
        }
        let bridge = b.take()?;
        bridge.worker.terminate();
        Some(bridge)
    });
    let Some(bridge) = taken else { return false };
    let Bridge {
        listener,
        files,
        generation,
        mut in_flight,
        ..
    } = bridge;
    in_flight.remove(&id);
    if let Err(e) = spawn(listener, files, generation + 1) {
        web_sys::console::error_1(&e.into());
        return true;
    }
    BRIDGE.with_borrow_mut(|b| {
        if let Some(b) = b {
            for (other, (step, message)) in in_flight {
                b.in_flight.insert(other, (step, message.clone()));
                b.send(message);
            }
        }
    });
    true
}

fn post(worker: &Worker, message: &js_sys::Array) {
    if let Err(e) = worker.post_message(message) {
        web_sys::console::error_1(&e);
    }
}
