//! Where a generation's bytes go, chunk by chunk: the parts of a Blob for a download
//! link, the user's file (the save picker), or a streamed download (the page's
//! service worker, through a `MessagePort`). The last two never hold the output.

use super::{Stop, js_error};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub(super) enum Out {
    Parts(js_sys::Array),
    File { handle: JsValue, writable: JsValue },
    Download(Download),
}

impl Out {
    /// Where the page said to write: nothing (a download link), a
    /// `FileSystemFileHandle`, or a streamed download's `MessagePort`.
    pub(super) async fn open(
        target: Option<JsValue>,
        cancelled: Rc<dyn Fn() -> bool>,
    ) -> Result<Out, String> {
        let Some(target) = target else {
            return Ok(Out::Parts(js_sys::Array::new()));
        };
        if let Some(port) = target.dyn_ref::<web_sys::MessagePort>() {
            return Ok(Out::Download(Download::new(port.clone(), cancelled)));
        }
        let writable = call_async(&target, "createWritable", None)
            .await
            .map_err(|e| format!("cannot write the file chosen: {e}"))?;
        Ok(Out::File {
            handle: target,
            writable,
        })
    }

    pub(super) async fn put(&mut self, bytes: Vec<u8>) -> Result<(), Stop> {
        if bytes.is_empty() {
            return Ok(());
        }
        let chunk = js_sys::Uint8Array::from(bytes.as_slice());
        match self {
            Out::Parts(parts) => {
                parts.push(&chunk);
                Ok(())
            }
            Out::File { writable, .. } => call_async(writable, "write", Some(&chunk))
                .await
                .map(drop)
                .map_err(|e| {
                    Stop::Failed(format!("cannot write the file: {e} (is the disk full?)"))
                }),
            Out::Download(download) => download.put(chunk).await,
        }
    }

    /// The output as a Blob: the parts, the written file (read from disk when used,
    /// never held here), or for a streamed download an empty Blob (the browser has
    /// the file; the page keeps no copy).
    pub(super) async fn finish(self, content_type: &str) -> Result<web_sys::Blob, String> {
        let parts = match self {
            Out::Parts(parts) => parts,
            Out::File { handle, writable } => {
                call_async(&writable, "close", None)
                    .await
                    .map_err(|e| format!("cannot finish the file: {e}"))?;
                let file = call_async(&handle, "getFile", None)
                    .await
                    .map_err(|e| format!("cannot read the file written: {e}"))?;
                return file
                    .dyn_into()
                    .map_err(|_| "the file written is no file".into());
            }
            Out::Download(download) => {
                download.end();
                js_sys::Array::new()
            }
        };
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(content_type);
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_error)
    }

    /// The name of the file written, if the output goes to one the user picked.
    pub(super) fn file_name(&self) -> Option<String> {
        match self {
            Out::File { handle, .. } => js_sys::Reflect::get(handle, &"name".into())
                .ok()
                .and_then(|n| n.as_string()),
            Out::Parts(_) | Out::Download(_) => None,
        }
    }

    /// Whether the output is streamed to the browser's downloads as it is made.
    pub(super) fn is_download(&self) -> bool {
        matches!(self, Out::Download(_))
    }

    /// Stops writing an output that will not be finished (a cancel or an error): the
    /// file is discarded, the download marked failed with `why`.
    pub(super) async fn abort(self, why: &str) {
        match self {
            Out::File { writable, .. } => {
                let _ = call_async(&writable, "abort", None).await;
            }
            Out::Download(download) => download.fail(why),
            Out::Parts(_) => {}
        }
    }
}

/// A streamed download: the page's service worker (`public/download-sw.js`) asks for
/// a chunk each time the browser can take one (`pull`), and says `cancel` when the
/// user stops the download; chunks are sent only when asked for, so the generator
/// waits for the disk and memory stays flat.
pub(super) struct Download {
    port: web_sys::MessagePort,
    asked: Rc<Asked>,
    /// Whether the user pressed Cancel in the page.
    cancelled: Rc<dyn Fn() -> bool>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

#[derive(Default)]
struct Asked {
    /// Chunks asked for and not sent yet.
    pulls: Cell<u32>,
    /// The user stopped the download in the browser.
    cancelled: Cell<bool>,
    /// Resolves the wait of [`Download::put`] when a message comes.
    wake: RefCell<Option<js_sys::Function>>,
}

/// How often a wait for the browser looks at the page's Cancel.
const CANCEL_CHECK_MS: i32 = 200;

impl Download {
    fn new(port: web_sys::MessagePort, cancelled: Rc<dyn Fn() -> bool>) -> Download {
        let asked = Rc::new(Asked::default());
        let heard = asked.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                match e.data().as_string().as_deref() {
                    Some("pull") => heard.pulls.set(heard.pulls.get() + 1),
                    Some("cancel") => heard.cancelled.set(true),
                    _ => {}
                }
                if let Some(wake) = heard.wake.borrow_mut().take() {
                    let _ = wake.call0(&JsValue::NULL);
                }
            });
        port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Download {
            port,
            asked,
            cancelled,
            _on_message: on_message,
        }
    }

    /// Sends a chunk once the download asks for one.
    async fn put(&mut self, chunk: js_sys::Uint8Array) -> Result<(), Stop> {
        loop {
            if self.asked.cancelled.get() {
                return Err(Stop::Failed(
                    "the download was stopped in the browser".into(),
                ));
            }
            if (self.cancelled)() {
                return Err(Stop::Cancelled);
            }
            if self.asked.pulls.get() > 0 {
                self.asked.pulls.set(self.asked.pulls.get() - 1);
                break;
            }
            let asked = self.asked.clone();
            let wait = js_sys::Promise::new(&mut |resolve, _| {
                let _ = super::scope().set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    CANCEL_CHECK_MS,
                );
                *asked.wake.borrow_mut() = Some(resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        }
        self.port
            .post_message_with_transferable(&chunk, &js_sys::Array::of1(&chunk.buffer()))
            .map_err(|e| Stop::Failed(format!("cannot write the download: {}", js_error(e))))
    }

    fn end(self) {
        let _ = self.port.post_message(&"end".into());
        self.close();
    }

    fn fail(self, why: &str) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"error".into(), &why.into());
        let _ = self.port.post_message(&message);
        self.close();
    }

    /// Stops listening; the service worker closes its end when the stream ends.
    fn close(self) {
        self.port.set_onmessage(None);
    }
}

/// Calls a method that returns a promise (the File System Access API, which web-sys
/// has only behind its unstable flag) and awaits it.
async fn call_async(
    target: &JsValue,
    method: &str,
    arg: Option<&JsValue>,
) -> Result<JsValue, String> {
    let f: js_sys::Function = js_sys::Reflect::get(target, &method.into())
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| format!("no {method} here"))?;
    let promise = match arg {
        Some(a) => f.call1(target, a),
        None => f.call0(target),
    }
    .map_err(js_error)?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .map_err(js_error)
}
