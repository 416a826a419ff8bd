//! The Web Worker: receives requests, runs [`flow`] on the user's file, and posts events
//! back. Everything that touches the rows happens here, off the UI thread, so the page
//! stays responsive; only summaries, the SafeProfile, previews and the output Blob
//! cross back.

mod blob_source;
pub mod flow;
mod output;
mod pool;

use crate::protocol::{self, Event, FileId, GenerateRequest, Request};
use flow::Loaded;
use output::Out;
use shared::pipeline;
use shared::pipeline::Chunk;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, MessageEvent};

#[derive(Default)]
struct State {
    loaded: HashMap<FileId, Rc<Loaded>>,
    cancelled: HashSet<FileId>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &Event, attachment: Option<&JsValue>) {
    let json = serde_json::to_string(event).unwrap_or_else(|e| {
        format!(r#"{{"type":"crashed","message":"cannot encode an event: {e}"}}"#)
    });
    let message = js_sys::Array::of2(
        &JsValue::from_str(&json),
        attachment.unwrap_or(&JsValue::NULL),
    );
    // Posting fails only if the page is gone.
    let _ = scope().post_message(&message);
}

/// [`post`], handing the buffer over instead of copying it.
fn post_transferring(event: &Event, buffer: &js_sys::ArrayBuffer) {
    let json = serde_json::to_string(event).unwrap_or_default();
    let message = js_sys::Array::of2(&JsValue::from_str(&json), buffer);
    let _ = scope().post_message_with_transfer(&message, &js_sys::Array::of1(buffer));
}

fn now_ms() -> f64 {
    scope().performance().map_or(0.0, |p| p.now())
}

/// Entry point of the worker binary: every step, every format.
pub fn start() {
    listen(handle);
}

/// Entry point of the reader binary: the small worker the page starts first, which
/// reads, profiles and guards text files (CSV, TSV, JSON, NDJSON) and nothing else, so
/// a first visit downloads a fraction of the full worker. It answers
/// [`Event::NeedsFullWorker`] for a Parquet file or a workbook.
pub fn start_reader() {
    listen(handle_in_reader);
}

fn listen(handle: fn(Request, JsValue, JsValue)) {
    // A panic aborts the wasm instance: tell the page first, so it can name the file
    // that caused it and start a fresh worker.
    std::panic::set_hook(Box::new(|info| {
        post(
            &Event::Crashed {
                message: info.to_string(),
            },
            None,
        );
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = js_sys::Array::from(&e.data());
        let json = data.get(0).as_string().unwrap_or_default();
        match serde_json::from_str::<Request>(&json) {
            Ok(request) => handle(request, data.get(1), data.get(2)),
            Err(e) => post(
                &Event::Crashed {
                    message: format!("the worker got a message it does not know: {e}"),
                },
                None,
            ),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget(); // lives as long as the worker
    post(&Event::Ready, None);
}

/// A request, its attachment, and for Generate the file to write the output to (a
/// `FileSystemFileHandle`; null for a download).
fn handle(request: Request, attachment: JsValue, save_to: JsValue) {
    let file = attachment.clone().dyn_into::<File>().ok();
    match request {
        Request::Inspect {
            id,
            sheet,
            guard_seed,
        } => {
            let Some(file) = file else {
                return post(&missing_file(id), None);
            };
            inspect(id, &file, sheet, guard_seed);
        }
        Request::Generate(req) => {
            STATE.with_borrow_mut(|s| s.cancelled.remove(&req.id));
            wasm_bindgen_futures::spawn_local(async move {
                let id = req.id;
                match generate(req, file, written_to(save_to)).await {
                    Ok(()) => {}
                    Err(Stop::Cancelled) => post(&Event::Cancelled { id }, None),
                    Err(Stop::Failed(message)) => post(&Event::Failed { id, message }, None),
                }
            });
        }
        Request::Cancel { id } => {
            STATE.with_borrow_mut(|s| s.cancelled.insert(id));
        }
        Request::Forget { id } => {
            STATE.with_borrow_mut(|s| {
                s.loaded.remove(&id);
                s.cancelled.remove(&id);
            });
        }
        Request::Demo { id, name, spec } => {
            let made = flow::demo(&spec)
                .map_err(|e| format!("the demo {name} could not be made: {e}"))
                .and_then(|csv| file_from_bytes(&csv, &name, "text/csv"));
            let file = match made {
                Ok(file) => file,
                Err(message) => return post(&Event::Failed { id, message }, None),
            };
            post(&Event::DemoMade { id }, Some(&file));
            inspect(id, &file, None, None);
        }
        // A helper of another worker's generation (see `pool`).
        Request::RenderTask(task) => pool::hold(*task),
        Request::RenderRange {
            task,
            index,
            start,
            end,
        } => answer_worker(pool::render(task, index, start..end)),
        Request::Measure {
            task,
            index,
            start,
            end,
        } => {
            let work = js_sys::Uint8Array::new(&attachment).to_vec();
            answer_worker(pool::measure(task, index, start..end, &work));
        }
        Request::Bundle { names, manifest } => {
            wasm_bindgen_futures::spawn_local(async move {
                match bundle(&names, &manifest, &attachment, written_to(save_to)).await {
                    Ok((blob, bytes, as_made)) => {
                        post(&Event::Bundled { bytes, as_made }, Some(&blob));
                    }
                    Err(message) => post(
                        &Event::Failed {
                            id: protocol::BATCH,
                            message,
                        },
                        None,
                    ),
                }
            });
        }
    }
}

/// Where the page said an output goes as it is made (a file handle or a download's
/// port), if anywhere.
fn written_to(target: JsValue) -> Option<JsValue> {
    (!target.is_null() && !target.is_undefined()).then_some(target)
}

/// A helper's answer to its worker: the event, and the bytes it carries (handed over,
/// not copied).
fn answer_worker((event, bytes): (Event, Option<Vec<u8>>)) {
    match bytes {
        Some(bytes) => {
            let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
            post_transferring(&event, &buffer);
        }
        None => post(&event, None),
    }
}

/// The reader's requests: it reads text files; the page sends it nothing else.
fn handle_in_reader(request: Request, attachment: JsValue, _save_to: JsValue) {
    let Request::Inspect {
        id,
        sheet,
        guard_seed,
    } = request
    else {
        return;
    };
    let Some(file) = attachment.dyn_into::<File>().ok() else {
        return post(&missing_file(id), None);
    };
    match read(id, &file, sheet, guard_seed, pipeline::inspect_text_source) {
        Ok((_, info)) => post(
            &Event::Inspected {
                id,
                info: Box::new(info),
            },
            None,
        ),
        Err(e) if pipeline::needs_every_reader(&e) => post(&Event::NeedsFullWorker { id }, None),
        Err(e) => post(
            &Event::Failed {
                id,
                message: e.to_string(),
            },
            None,
        ),
    }
}

/// Reads, profiles and guards a file, and answers `Inspected` or `Failed`.
fn inspect(id: FileId, file: &File, sheet: Option<String>, guard_seed: Option<u64>) {
    match load(id, file, sheet, guard_seed) {
        Ok((_, info)) => post(
            &Event::Inspected {
                id,
                info: Box::new(info),
            },
            None,
        ),
        Err(message) => post(&Event::Failed { id, message }, None),
    }
}

fn file_from_bytes(bytes: &[u8], name: &str, mime: &str) -> Result<File, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::FilePropertyBag::new();
    options.set_type(mime);
    File::new_with_u8_array_sequence_and_options(&parts, name, &options).map_err(js_error)
}

/// Reads the outputs' Blobs back a slice at a time (they live in the browser, not in
/// this worker) and zips them with the manifest into `target` as it goes (see
/// [`Out`]). Answers the ZIP as a Blob (empty when streamed to the downloads), its
/// size, and whether it was written as made.
async fn bundle(
    names: &[String],
    manifest: &str,
    blobs: &JsValue,
    target: Option<JsValue>,
) -> Result<(web_sys::Blob, u64, bool), String> {
    let blobs = js_sys::Array::from(blobs);
    if blobs.length() as usize != names.len() {
        return Err("the page sent a batch without its files; generate again".into());
    }
    let as_made = target.is_some();
    let mut out = Out::open(target, Rc::new(|| false)).await?;
    match zip_into(names, manifest, &blobs, &mut out).await {
        Ok(bytes) => Ok((out.finish("application/zip").await?, bytes, as_made)),
        Err(message) => {
            out.abort(&message).await;
            Err(message)
        }
    }
}

/// The slices an output is read back in for the ZIP.
const BUNDLE_SLICE: f64 = 8.0 * 1024.0 * 1024.0;

async fn zip_into(
    names: &[String],
    manifest: &str,
    blobs: &js_sys::Array,
    out: &mut Out,
) -> Result<u64, String> {
    let reader = web_sys::FileReaderSync::new().map_err(js_error)?;
    let mut zip = flow::Bundle::new();
    let mut bytes = 0u64;
    for (name, blob) in names.iter().zip(blobs.iter()) {
        let blob: web_sys::Blob = blob
            .dyn_into()
            .map_err(|_| format!("{name}: the page sent no file"))?;
        let size = blob.size();
        zip.start(name, size as u64)?;
        let mut at = 0.0;
        while at < size {
            let end = (at + BUNDLE_SLICE).min(size);
            let read = blob
                .slice_with_f64_and_f64(at, end)
                .and_then(|slice| reader.read_as_array_buffer(&slice))
                .map_err(|e| format!("{name}: cannot read the output again ({})", js_error(e)))?;
            zip.write(&js_sys::Uint8Array::new(&read).to_vec())?;
            let piece = zip.take();
            bytes += piece.len() as u64;
            out.put(piece).await.map_err(Stop::into_message)?;
            at = end;
        }
    }
    let last = zip.finish(manifest)?;
    bytes += last.len() as u64;
    out.put(last).await.map_err(Stop::into_message)?;
    Ok(bytes)
}

fn missing_file(id: FileId) -> Event {
    Event::Failed {
        id,
        message: "the page sent no file with this request; drop the file again".into(),
    }
}

/// [`read`]s a file with every reader and keeps it for generating and scoring.
fn load(
    id: FileId,
    file: &File,
    sheet: Option<String>,
    guard_seed: Option<u64>,
) -> Result<(Rc<Loaded>, protocol::FileInfo), String> {
    let (loaded, info) =
        read(id, file, sheet, guard_seed, pipeline::inspect_source).map_err(|e| e.to_string())?;
    let loaded = Rc::new(loaded);
    STATE.with_borrow_mut(|s| s.loaded.insert(id, loaded.clone()));
    Ok((loaded, info))
}

/// Reads a File (synchronously: this is a worker) and runs ingest, profile and guard.
/// CSV and TSV stream through in slices; each pass over a large file posts its
/// progress (the page cannot cancel a pass in flight: it stops the worker instead).
fn read(
    id: FileId,
    file: &File,
    sheet: Option<String>,
    guard_seed: Option<u64>,
    reader: flow::Reader,
) -> Result<(Loaded, protocol::FileInfo), shared::Error> {
    let started = now_ms();
    let progress = |pass: u32, done: u64, total: u64, rows: u64| {
        let stage = if pass == 0 { "reading" } else { "sampling" };
        post(
            &Event::Progress {
                id,
                stage: stage.into(),
                done,
                total,
                rows,
            },
            None,
        );
    };
    let source = blob_source::BlobSource::new(file, &progress)
        .map_err(|message| shared::Error::new(shared::ErrorKind::Io, message))?;
    let (loaded, mut info) = flow::inspect(&source, &file.name(), sheet, guard_seed, reader)?;
    info.millis = now_ms() - started;
    info.worker_memory = wasm_memory();
    Ok((loaded, info))
}

/// Bytes of this worker's wasm memory.
fn wasm_memory() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length() as u64)
        })
}

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

enum Stop {
    Cancelled,
    Failed(String),
}

impl Stop {
    fn into_message(self) -> String {
        match self {
            Stop::Cancelled => "cancelled".into(),
            Stop::Failed(message) => message,
        }
    }
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Failed(message)
    }
}

fn cancelled(id: FileId) -> bool {
    STATE.with_borrow_mut(|s| s.cancelled.remove(&id))
}

/// Lets the worker's event loop run (and take a Cancel, or a helper's range) between
/// chunks: a message to itself through a `MessageChannel`, which runs as soon as the
/// queue is clear. `setTimeout(0)` waits at least 4 ms once timers nest, and a
/// million rows take 60 chunks: a quarter of a second of waiting.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| match web_sys::MessageChannel::new() {
        Ok(channel) => {
            channel.port1().set_onmessage(Some(resolve.unchecked_ref()));
            let _ = channel.port2().post_message(&JsValue::NULL);
        }
        Err(_) => {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// How long the worker waits after sending a file before it scores it.
const SCORING_DELAY_MS: i32 = 150;

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn generate(
    req: GenerateRequest,
    file: Option<File>,
    save_to: Option<JsValue>,
) -> Result<(), Stop> {
    let id = req.id;
    let cancelled = Rc::new(move || STATE.with_borrow(|s| s.cancelled.contains(&id)));
    let mut out = Out::open(save_to, cancelled).await?;
    match make(&req, file.as_ref(), &mut out).await {
        Ok(made) => finish(req, file, out, made).await,
        Err(stop) => {
            let why = match &stop {
                Stop::Cancelled => "cancelled in the page",
                Stop::Failed(message) => message.as_str(),
            };
            out.abort(why).await;
            Err(stop)
        }
    }
}
/// A generation made and written, before its Blob is posted and it is scored.
struct Made {
    loaded: Rc<Loaded>,
    generation: flow::Generation,
    result: protocol::Generated,
}

/// Makes the rows (the worker and its helpers) and writes them to `out` in order.
async fn make(req: &GenerateRequest, file: Option<&File>, out: &mut Out) -> Result<Made, Stop> {
    let id = req.id;
    let kept = STATE.with_borrow(|s| s.loaded.get(&id).cloned());
    let loaded = match kept {
        Some(l) if l.sheet == req.sheet || req.sheet.is_none() => l,
        _ => {
            // A fresh worker (after a crash) or another sheet: read the file again.
            let file =
                file.ok_or_else(|| "the file is no longer loaded; drop it again".to_string())?;
            load(id, file, req.sheet.clone(), None)?.0
        }
    };
    let name = file.map(|f| f.name()).unwrap_or_default();
    let started = now_ms();
    let mut generation = flow::start(&loaded, req)?;
    // Helpers render ranges of a large output, and measure the scoring's distances to
    // closest record for any output: they load while this one generates.
    pool::start_helpers();
    let mut bytes = 0u64;
    let ranges = generation.take_ranges();
    // Text outputs of more than one range are shared with the helpers (every core);
    // the rest is made here, range by range.
    let mut share = generation
        .render_task(req.plain)
        .filter(|_| ranges.len() > 1)
        .map(|task| pool::Share::new(task, ranges.clone()));
    let mut made: BTreeMap<usize, Chunk> = BTreeMap::new();
    let mut rendered: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut next = 0;
    let mut helped = false;
    while next < ranges.len() {
        if let Some(share) = share.as_mut() {
            share.exchange(&mut rendered);
        }
        let chunk = match (made.remove(&next), rendered.remove(&next)) {
            (Some(chunk), _) => chunk,
            (None, Some(text)) => {
                helped = true;
                flow::Generation::rendered(text, ranges[next].clone())
            }
            (None, None) => {
                // Nothing ready to write: render the lowest open range here (while a
                // few at most wait to be written), or wait for a helper's. Either way
                // the loop yields, so the helpers' messages come in: a loop that only
                // rendered would make every range here, and hold them all.
                let open = match share.as_mut() {
                    Some(share) if made.len() < pool::AHEAD => share.take(),
                    Some(_) => None,
                    None => Some(next),
                };
                match open {
                    Some(index) => {
                        made.insert(index, generation.render(ranges[index].clone())?);
                        if share.is_some() {
                            yield_now().await;
                        }
                    }
                    None => sleep_ms(1).await,
                }
                continue;
            }
        };
        let written = generation.write(chunk)?;
        bytes += written.len() as u64;
        out.put(written).await?;
        next += 1;
        post(
            &Event::Progress {
                id,
                stage: "generating".into(),
                done: generation.done(),
                total: generation.rows(),
                rows: 0,
            },
            None,
        );
        yield_now().await;
        if cancelled(id) {
            return Err(Stop::Cancelled);
        }
    }
    let workers = match &share {
        Some(share) if helped => 1 + share.helpers(),
        _ => 1,
    };
    drop(share);
    let last = generation.finish()?;
    bytes += last.len() as u64;
    out.put(last).await?;
    let mut result = generation.result(req, &name, bytes);
    result.millis = now_ms() - started;
    result.workers = workers;
    Ok(Made {
        loaded,
        generation,
        result,
    })
}

/// Posts the output (the download first), then scores it and posts the report.
async fn finish(
    req: GenerateRequest,
    file: Option<File>,
    out: Out,
    made: Made,
) -> Result<(), Stop> {
    let Made {
        loaded,
        generation,
        mut result,
    } = made;
    let id = req.id;
    let name = file.as_ref().map(|f| f.name()).unwrap_or_default();
    let finishing = now_ms();
    result.saved_to = out.file_name();
    result.streamed = out.is_download();
    let blob = out.finish(flow::content_type(req.format)).await?;
    result.millis += now_ms() - finishing;
    post(
        &Event::Generated {
            id,
            result: Box::new(result.clone()),
        },
        Some(&blob),
    );
    drop(blob);
    // Give the page a moment to take the file (its object URL is a synchronous call to
    // the browser) before scoring takes a core: on a 2-core machine that call stalled
    // the UI thread for up to 100 ms while the scoring ran beside it.
    sleep_ms(SCORING_DELAY_MS).await;
    let scoring = now_ms();
    let mut measuring = None;
    let report = generation.score_apart(&loaded, |work| {
        measuring = Some(pool::Measuring::start(work));
    });
    let mut scored = match report {
        Some(mut report) => {
            let workers = match measuring {
                Some(measuring) => measuring.complete(&mut report).await,
                None => 1,
            };
            Some(protocol::Scored {
                workers,
                ..flow::scored(report)
            })
        }
        None => None,
    };
    let files = js_sys::Array::new();
    if let Some(scored) = scored.as_mut() {
        scored.millis = now_ms() - scoring;
        let (json, html) = flow::report_files(&result, scored, &name);
        for (text, mime) in [(json, "application/json"), (html, "text/html")] {
            files.push(&text_blob(&text, mime)?.into());
        }
    }
    post(
        &Event::Scored {
            id,
            scored: scored.map(Box::new),
        },
        Some(&files),
    );
    Ok(())
}

fn text_blob(text: &str, mime: &str) -> Result<web_sys::Blob, String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js_error)
}
