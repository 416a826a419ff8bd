//! The UI thread's side of the worker: starts it, attaches each file's `File` to the
//! requests about it, and turns a crash into a per-file error plus a fresh worker, so one
//! bad file never stops the others.

use crate::protocol::{Event, FileId, Request};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
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
    in_flight: HashSet<FileId>,
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
            in_flight: HashSet::new(),
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
        if let Some(id) = event.file().filter(|_| event.ends_request()) {
            b.in_flight.remove(&id);
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
    for id in in_flight {
        listener(
            Event::Failed {
                id,
                message: format!(
                    "processing stopped on this file (the worker failed: {message}). \
                     The file may be corrupt; other files are not affected"
                ),
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
            Request::Inspect { id, .. } => (*id, true, true),
            Request::Generate(g) => (g.id, true, true),
            Request::Demo { id, .. } => (*id, false, true),
            Request::Bundle { .. } => (crate::protocol::BATCH, false, true),
            Request::Cancel { id } => (*id, false, false),
            Request::Forget { id } => {
                b.files.remove(id);
                b.in_flight.remove(id);
                (*id, false, false)
            }
        };
        if starts {
            b.in_flight.insert(id);
        }
        let json = serde_json::to_string(&request).unwrap_or_default();
        let attachment = if attach_file {
            b.files.get(&id).map_or(JsValue::NULL, JsValue::from)
        } else {
            attachment
        };
        let message = js_sys::Array::of2(&JsValue::from_str(&json), &attachment);
        match &mut b.queue {
            Some(queue) => queue.push(message),
            None => post(&b.worker, &message),
        }
    });
}

fn post(worker: &Worker, message: &js_sys::Array) {
    if let Err(e) = worker.post_message(message) {
        web_sys::console::error_1(&e);
    }
}
