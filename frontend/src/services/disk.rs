//! Outputs written as they are made, so they never sit in memory whole. Two ways,
//! the better first:
//!
//! - the File System Access API's save picker (Chromium browsers): the page asks where
//!   to save in the press of Generate (the picker needs the user's gesture), and the
//!   worker writes each chunk to that file;
//! - elsewhere (Firefox, Safari), a streamed download: a service worker of the page's
//!   own (`public/download-sw.js`) answers a download request with a stream, and the
//!   worker feeds it chunk by chunk through a `MessagePort`, as the browser asks for
//!   them (so the generator waits for the disk).
//!
//! The picker is called through `Reflect`: web-sys has it only behind its unstable flag.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn picker() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"showSaveFilePicker".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
}

thread_local! {
    /// The download helper's registration, once its service worker is running (asked
    /// for its active worker at each download: an update replaces it).
    static HELPER: RefCell<Option<web_sys::ServiceWorkerRegistration>> = const { RefCell::new(None) };
}

/// The service worker's script, beside the page (its scope is the page's folder).
const HELPER_SCRIPT: &str = "download-sw.js";

/// Starts the download helper where the browser has no save picker: streamed
/// downloads are offered once it is active (a moment after the page opens). Browsers
/// without service workers (or pages not served from a secure origin) keep download
/// links only.
pub fn start() {
    if picker().is_some() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let options = web_sys::RegistrationOptions::new();
    options.set_scope(HELPER_SCOPE);
    let registered = navigator
        .service_worker()
        .register_with_options(HELPER_SCRIPT, &options);
    wasm_bindgen_futures::spawn_local(async move {
        let registration: web_sys::ServiceWorkerRegistration =
            match JsFuture::from(registered).await {
                Ok(r) => r.unchecked_into(),
                Err(e) => {
                    leptos::logging::warn!("streamed downloads are off: {}", js_text(&e));
                    return;
                }
            };
        // A first visit installs it: active a moment later.
        for _ in 0..HELPER_WAITS {
            if registration.active().is_some() {
                return HELPER.set(Some(registration));
            }
            sleep_ms(HELPER_WAIT_MS).await;
        }
    });
}

/// The helper's scope: only the download requests, so the page's own requests never
/// pass through it (and the page is not one of its clients).
const HELPER_SCOPE: &str = "./download-sw/";
const HELPER_WAITS: u32 = 200;
const HELPER_WAIT_MS: i32 = 50;

/// How an output is written as it is made, if this browser can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// A file the user picks.
    Picker,
    /// A download streamed to the browser's downloads folder.
    Stream,
}

/// How this browser can write an output as it is made, if it can.
pub fn way() -> Option<Way> {
    if picker().is_some() {
        Some(Way::Picker)
    } else if HELPER.with_borrow(Option::is_some) {
        Some(Way::Stream)
    } else {
        None
    }
}

/// Whether this browser can write an output as it is made.
pub fn available() -> bool {
    way().is_some()
}

/// Where an output written as it is made goes, chosen in the press of Generate.
#[derive(Debug)]
pub enum Destination {
    /// The picker's answer to come: a `FileSystemFileHandle`, or a rejection when the
    /// user closed it.
    Picked(js_sys::Promise),
    /// A streamed download, opened only when the rows are about to be made (after the
    /// LLM's review, say), so no download waits in the browser meanwhile.
    Stream { name: String, content_type: String },
}

impl Destination {
    /// Where `name` goes in this browser: the picker is asked now (call this in the
    /// event handler of the press itself).
    pub fn choose(name: &str, content_type: &str) -> Option<Destination> {
        match way()? {
            Way::Picker => ask_where(name).map(Destination::Picked),
            Way::Stream => Some(Destination::Stream {
                name: name.to_string(),
                content_type: content_type.to_string(),
            }),
        }
    }

    /// What the worker writes to: a `FileSystemFileHandle` or a `MessagePort`; the
    /// error says why there is none.
    pub async fn open(self) -> Result<JsValue, String> {
        match self {
            Destination::Picked(promise) => JsFuture::from(promise)
                .await
                .map_err(|_| "no file was chosen to save the output to".into()),
            Destination::Stream { name, content_type } => {
                open_stream(&name, &content_type).await.map(JsValue::from)
            }
        }
    }
}

/// Asks the user where to save `name` (a promise of a file handle, rejected when the
/// user closes the picker). Call it in the event handler of the press itself.
fn ask_where(name: &str) -> Option<js_sys::Promise> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"suggestedName".into(), &JsValue::from_str(name)).ok()?;
    let window = web_sys::window()?;
    let promise: js_sys::Promise = picker()?.call1(&window, &options).ok()?.unchecked_into();
    // Answered later (after the spec is found): a closed picker is handled then, not
    // an unhandled rejection now.
    let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let _ = promise.catch(&ignore);
    ignore.forget(); // one small closure per press of Generate
    Some(promise)
}

/// How long the helper has to answer before a download counts as failed to start.
const HELPER_ANSWER_MS: i32 = 10_000;

/// How often the page tells a running download's helper it is still wanted: browsers
/// stop a service worker that had no event for 30 s, stream or not.
const KEEP_ALIVE_MS: i32 = 10_000;

/// Opens a streamed download of `name`: announces it to the helper with the port the
/// worker will write to, opens the download in a hidden frame, and returns that port
/// (the worker's end; nothing has been read from it here, so the helper's first
/// requests wait in it for the worker).
async fn open_stream(name: &str, content_type: &str) -> Result<web_sys::MessagePort, String> {
    let helper = HELPER
        .with_borrow(|h| {
            h.as_ref()
                .and_then(web_sys::ServiceWorkerRegistration::active)
        })
        .ok_or("this browser offers no streamed download here")?;
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| e.to_string())?;
    let id = format!("{:016x}", u64::from_le_bytes(random));
    let reply = web_sys::MessageChannel::new().map_err(|e| js_text(&e))?;
    let chunks = web_sys::MessageChannel::new().map_err(|e| js_text(&e))?;
    let message = js_sys::Object::new();
    for (key, value) in [
        ("download", id.as_str()),
        ("name", name),
        ("type", content_type),
    ] {
        js_sys::Reflect::set(&message, &key.into(), &value.into()).map_err(|e| js_text(&e))?;
    }
    let answer = answer_of(reply.port1(), HELPER_ANSWER_MS);
    helper
        .post_message_with_transferable(
            &message,
            &js_sys::Array::of2(&reply.port2(), &chunks.port2()),
        )
        .map_err(|e| js_text(&e))?;
    if answer.await.as_string().as_deref() != Some("ready") {
        return Err("the page's download helper did not answer; reload the page".into());
    }
    let frame = open_frame(&format!(
        "download-sw/{id}/{}",
        String::from(js_sys::encode_uri_component(name))
    ))?;
    wasm_bindgen_futures::spawn_local(keep_alive(helper, id, frame));
    Ok(chunks.port1())
}

/// A hidden frame that opens `url`: the helper answers it with the download.
fn open_frame(url: &str) -> Result<web_sys::HtmlIFrameElement, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let frame: web_sys::HtmlIFrameElement = document
        .create_element("iframe")
        .map_err(|e| js_text(&e))?
        .unchecked_into();
    frame.set_hidden(true);
    frame.set_src(url);
    document
        .body()
        .ok_or("no body")?
        .append_child(&frame)
        .map_err(|e| js_text(&e))?;
    Ok(frame)
}

/// Pings the helper while the download runs, then removes its frame.
async fn keep_alive(helper: web_sys::ServiceWorker, id: String, frame: web_sys::HtmlIFrameElement) {
    let ping = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ping, &"ping".into(), &id.as_str().into());
    loop {
        sleep_ms(KEEP_ALIVE_MS).await;
        let Ok(channel) = web_sys::MessageChannel::new() else {
            break;
        };
        let answer = answer_of(channel.port1(), HELPER_ANSWER_MS);
        if helper
            .post_message_with_transferable(&ping, &js_sys::Array::of1(&channel.port2()))
            .is_err()
            || answer.await != JsValue::TRUE
        {
            break;
        }
    }
    frame.remove();
}

/// The first message on `port`, or undefined after `ms` milliseconds.
fn answer_of(port: web_sys::MessagePort, ms: i32) -> impl Future<Output = JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        port.set_onmessage(Some(resolve.unchecked_ref()));
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    async move {
        let got = JsFuture::from(promise).await.unwrap_or(JsValue::UNDEFINED);
        port.set_onmessage(None);
        port.close();
        got.dyn_into::<web_sys::MessageEvent>()
            .map_or(JsValue::UNDEFINED, |event| event.data())
    }
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

fn js_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
