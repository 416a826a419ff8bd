//! Every core for generation. The full worker starts helpers (more instances of itself,
//! one per core beyond its own, at most [`MAX_HELPERS`]) and hands them the row ranges of
//! a text output; a helper renders a range exactly as the worker would (the same spec,
//! seed and export options: a range's rows depend on nothing else), and the worker
//! writes the ranges in order. So the bytes are one worker's and `byod generate`'s for
//! the same seed, whichever worker rendered which range.
//!
//! The worker renders too: it takes the lowest range nobody has, so it never waits
//! while there is work, and a helper that is still loading, or that failed, only
//! leaves its ranges to it. XLSX and Parquet are encoded whole by the worker's writer
//! and stay on one worker.
//!
//! Scoring uses them too: distance to closest record, the largest part of a report,
//! is measured in shares on the idle helpers while the worker computes the rest
//! ([`Measuring`]). Each row's distance depends on that row only, so the report is
//! the one-worker report.

use crate::protocol::{Event, RenderTask, Request};
use shared::evaluate::{DcrDistances, DcrWork, Report};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::ops::Range;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// Helpers at most: beyond four cores the writer, not rendering, is the limit.
const MAX_HELPERS: usize = 3;

/// Rendered ranges per worker (helpers, and the worker itself) that may wait for the
/// writer.
pub const AHEAD: usize = 4;

/// Ranges a helper holds at once. Two: it starts the next as soon as it posts one,
/// instead of waiting until the worker, busy rendering a range of its own, reads its
/// message and hands it another (with one, a helper idled about half the time).
const IN_FLIGHT: usize = 2;

/// The worker script (Trunk's loader shim), relative to the worker's own.
const HELPER_URL: &str = "./worker_loader.js";

struct Helper {
    worker: Worker,
    /// It said Ready.
    ready: bool,
    /// It failed or crashed: it gets no more ranges.
    dead: bool,
    /// The task whose spec it holds.
    task: Option<u64>,
    /// The ranges (or shares) it was given and has not sent back: (task, index),
    /// oldest first.
    busy: VecDeque<(u64, usize)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// What the helpers sent back: task, range, the helper's slot, and the bytes.
type Results = Vec<(u64, usize, usize, Result<Vec<u8>, String>)>;

#[derive(Default)]
struct Helpers {
    helpers: Vec<Helper>,
    /// Results of live tasks, not yet taken.
    results: Results,
    last_task: u64,
    /// Generations and scorings under way: a result of any other task (one stopped
    /// while a helper worked on it) is dropped as it comes.
    live: BTreeSet<u64>,
}

impl Helpers {
    fn push(&mut self, task: u64, index: usize, slot: usize, result: Result<Vec<u8>, String>) {
        if self.live.contains(&task) {
            self.results.push((task, index, slot, result));
        }
    }

    /// A task stops: what its helpers send from now on is dropped.
    fn end(&mut self, task: u64) {
        self.live.remove(&task);
        self.results.retain(|r| r.0 != task);
    }
}

thread_local! {
    static HELPERS: RefCell<Helpers> = RefCell::new(Helpers::default());
}

/// Helpers to start on a machine with `cores` cores.
pub fn helpers_for(cores: usize) -> usize {
    cores.saturating_sub(1).min(MAX_HELPERS)
}

fn cores() -> usize {
    js_sys::global()
        .unchecked_into::<web_sys::WorkerGlobalScope>()
        .navigator()
        .hardware_concurrency() as usize
}

/// Starts the helpers this machine gets, each dead one replaced in its slot (a
/// helper's messages name its slot).
pub fn start_helpers() {
    HELPERS.with_borrow_mut(|h| {
        for slot in 0..helpers_for(cores()) {
            if h.helpers.get(slot).is_some_and(|helper| !helper.dead) {
                continue;
            }
            let helper = match spawn(slot) {
                Ok(helper) => helper,
                Err(e) => {
                    web_sys::console::warn_1(&format!("no helper worker: {e}").into());
                    return;
                }
            };
            match h.helpers.get_mut(slot) {
                Some(old) => std::mem::replace(old, helper).worker.terminate(),
                None => h.helpers.push(helper),
            }
        }
    });
}

fn spawn(slot: usize) -> Result<Helper, String> {
    let worker = Worker::new(HELPER_URL).map_err(|e| format!("{e:?}"))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let data = js_sys::Array::from(&e.data());
        let json = data.get(0).as_string().unwrap_or_default();
        let event = serde_json::from_str::<Event>(&json);
        HELPERS.with_borrow_mut(|h| {
            let Some(helper) = h.helpers.get_mut(slot) else {
                return;
            };
            match event {
                Ok(Event::Ready) => helper.ready = true,
                Ok(Event::Rendered { task, index } | Event::Measured { task, index }) => {
                    helper.busy.retain(|&b| b != (task, index));
                    let bytes = js_sys::Uint8Array::new(&data.get(1)).to_vec();
                    h.push(task, index, slot, Ok(bytes));
                }
                Ok(Event::HelpFailed {
                    task,
                    index,
                    message,
                }) => {
                    helper.busy.retain(|&b| b != (task, index));
                    h.push(task, index, slot, Err(message));
                    died(h, slot, "the helper failed");
                }
                // A crash, or anything else: this helper is done.
                _ => died(h, slot, "the helper stopped"),
            }
        });
    });
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        e.prevent_default();
        HELPERS.with_borrow_mut(|h| died(h, slot, &e.message()));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Helper {
        worker,
        ready: false,
        dead: false,
        task: None,
        busy: VecDeque::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// A helper is gone: the ranges it had go back to the worker.
fn died(h: &mut Helpers, slot: usize, why: &str) {
    let Some(helper) = h.helpers.get_mut(slot) else {
        return;
    };
    helper.dead = true;
    let busy = std::mem::take(&mut helper.busy);
    for (task, index) in busy {
        h.push(task, index, slot, Err(why.to_string()));
    }
}

fn send(worker: &Worker, request: &Request) {
    send_with(worker, request, &JsValue::NULL);
}

fn send_with(worker: &Worker, request: &Request, attachment: &JsValue) {
    let json = serde_json::to_string(request).unwrap_or_default();
    let message = js_sys::Array::of2(&JsValue::from_str(&json), attachment);
    if let Err(e) = worker.post_message(&message) {
        web_sys::console::error_1(&e);
    }
}

/// Takes what the helpers sent back for `task`, leaving the other tasks' (a
/// generation and a scoring may run at once; a stopped task's are dropped with it).
fn take_results(h: &mut Helpers, task: u64) -> Results {
    let (mine, others) = std::mem::take(&mut h.results)
        .into_iter()
        .partition(|r| r.0 == task);
    h.results = others;
    mine
}

/// A task number no other generation or scoring has.
fn next_task(h: &mut Helpers) -> u64 {
    h.last_task += 1;
    h.live.insert(h.last_task);
    h.last_task
}

/// One generation's ranges, shared between the worker and its helpers.
#[derive(Debug)]
pub struct Share {
    task: RenderTask,
    ranges: Vec<Range<u64>>,
    /// Ranges nobody renders yet, lowest first.
    open: VecDeque<usize>,
    /// The helpers (by slot) whose ranges came back.
    helped: BTreeSet<usize>,
}

impl Share {
    /// Shares `ranges` of `task` (its `task` number is set here). The first range stays
    /// with the worker: it keeps those rows for scoring.
    pub fn new(mut task: RenderTask, ranges: Vec<Range<u64>>) -> Share {
        task.task = HELPERS.with_borrow_mut(next_task);
        let open = (0..ranges.len()).collect();
        Share {
            task,
            ranges,
            open,
            helped: Default::default(),
        }
    }

    /// Helpers that rendered ranges of this task.
    pub fn helpers(&self) -> usize {
        self.helped.len()
    }

    /// The worker's next range: the lowest nobody has.
    pub fn take(&mut self) -> Option<usize> {
        self.open.pop_front()
    }

    /// Moves what the helpers rendered into `done` (a failed range goes back to the
    /// worker), then tops every helper up to [`IN_FLIGHT`] ranges, the lowest open ones
    /// but the first, while fewer than [`AHEAD`] ranges per helper wait in `done` for
    /// the writer: a slow writer (a disk) holds the helpers back instead of their
    /// output piling up.
    pub fn exchange(&mut self, done: &mut BTreeMap<usize, Vec<u8>>) {
        HELPERS.with_borrow_mut(|h| {
            for (_, index, slot, result) in take_results(h, self.task.task) {
                match result {
                    Ok(bytes) => {
                        done.insert(index, bytes);
                        self.helped.insert(slot);
                    }
                    Err(_) => {
                        let at = self.open.partition_point(|&i| i < index);
                        self.open.insert(at, index);
                    }
                }
            }
            let most = AHEAD * h.helpers.len();
            for helper in h.helpers.iter_mut() {
                if !helper.ready || helper.dead {
                    continue;
                }
                while helper.busy.len() < IN_FLIGHT && done.len() < most {
                    // Not range 0: the worker renders it, keeping its rows to score.
                    let Some(pos) = self.open.iter().position(|&i| i != 0) else {
                        break;
                    };
                    let index = self.open.remove(pos).expect("a position found above");
                    if helper.task != Some(self.task.task) {
                        send(
                            &helper.worker,
                            &Request::RenderTask(Box::new(self.task.clone())),
                        );
                        helper.task = Some(self.task.task);
                    }
                    let range = &self.ranges[index];
                    send(
                        &helper.worker,
                        &Request::RenderRange {
                            task: self.task.task,
                            index,
                            start: range.start,
                            end: range.end,
                        },
                    );
                    helper.busy.push_back((self.task.task, index));
                }
            }
        });
    }
}

impl Drop for Share {
    /// A generation that stops (finished, cancelled, failed) drops what its helpers
    /// still send; helpers busy with it finish their range and take the next task's.
    fn drop(&mut self) {
        let task = self.task.task;
        HELPERS.with_borrow_mut(|h| h.end(task));
    }
}

/// The helper's side: the task whose ranges it renders.
pub struct Held {
    task: u64,
    generation: super::flow::Generation,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Helper: keeps the task its next ranges belong to.
pub fn hold(task: RenderTask) {
    let number = task.task;
    let held = super::flow::Generation::for_helper(task).map(|generation| Held {
        task: number,
        generation,
    });
    HELD.with_borrow_mut(|h| *h = held.ok());
}

/// Helper: renders a range of the task held; the answer for the worker, and the bytes.
pub fn render(task: u64, index: usize, range: Range<u64>) -> (Event, Option<Vec<u8>>) {
    let rendered = HELD.with_borrow(|held| match held {
        Some(held) if held.task == task => held.generation.render_bytes(range),
        _ => Err("the helper holds another task".to_string()),
    });
    match rendered {
        Ok(bytes) => (Event::Rendered { task, index }, Some(bytes)),
        Err(message) => (
            Event::HelpFailed {
                task,
                index,
                message,
            },
            None,
        ),
    }
}

/// One scoring's distance to closest record, measured in shares by the helpers that
/// are idle when it starts (one share each), or here when none is.
#[derive(Debug)]
pub struct Measuring {
    task: u64,
    work: DcrWork,
    shares: Vec<Range<usize>>,
    /// Measured here at the start, when no helper was idle.
    measured: Option<DcrDistances>,
}

impl Measuring {
    /// Sends a share of `work` to each ready, idle helper, and returns at once: they
    /// measure while the worker scores the rest. With no helper idle (one core, or
    /// helpers still loading), measures it here.
    pub fn start(work: DcrWork) -> Measuring {
        HELPERS.with_borrow_mut(|h| {
            let task = next_task(h);
            let idle: Vec<&mut Helper> = h
                .helpers
                .iter_mut()
                .filter(|helper| helper.ready && !helper.dead && helper.busy.is_empty())
                .collect();
            let shares = split(work.rows(), idle.len().max(1));
            let measured = idle.is_empty().then(|| work.measure(0..work.rows()));
            if !idle.is_empty() {
                let bytes = postcard::to_allocvec(&work).unwrap_or_default();
                for (index, (helper, share)) in idle.into_iter().zip(&shares).enumerate() {
                    let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
                    send_with(
                        &helper.worker,
                        &Request::Measure {
                            task,
                            index,
                            start: share.start,
                            end: share.end,
                        },
                        &buffer,
                    );
                    helper.busy.push_back((task, index));
                }
            }
            Measuring {
                task,
                work,
                shares,
                measured,
            }
        })
    }

    /// Waits for the helpers' shares, measures here any a helper could not, and puts
    /// the distances into `report`; the workers that scored (this one, and the helpers
    /// that measured a share).
    pub async fn complete(mut self, report: &mut Report) -> usize {
        if let Some(distances) = self.measured.take() {
            self.work.complete(report, &distances);
            return 1;
        }
        let mut helped = 0;
        let mut done: BTreeMap<usize, DcrDistances> = BTreeMap::new();
        while done.len() < self.shares.len() {
            let back = HELPERS.with_borrow_mut(|h| take_results(h, self.task));
            for (_, index, _, result) in back {
                let Some(share) = self.shares.get(index).cloned() else {
                    continue;
                };
                let measured = result
                    .ok()
                    .and_then(|bytes| postcard::from_bytes::<DcrDistances>(&bytes).ok())
                    .filter(|d| d.len() == share.len());
                helped += usize::from(measured.is_some());
                let measured = measured.unwrap_or_else(|| self.work.measure(share));
                done.insert(index, measured);
            }
            if done.len() < self.shares.len() {
                super::sleep_ms(1).await;
            }
        }
        let mut distances = DcrDistances::default();
        for (_, share) in done {
            distances.append(share);
        }
        self.work.complete(report, &distances);
        // The worker scored the rest meanwhile.
        1 + helped
    }
}

impl Drop for Measuring {
    fn drop(&mut self) {
        let task = self.task;
        HELPERS.with_borrow_mut(|h| h.end(task));
    }
}

/// `rows` split into `parts` contiguous ranges of near-equal length, in order.
fn split(rows: usize, parts: usize) -> Vec<Range<usize>> {
    (0..parts)
        .map(|i| rows * i / parts..rows * (i + 1) / parts)
        .collect()
}

/// Helper: measures a share of a scoring's distances; the answer for the worker, and
/// the bytes.
pub fn measure(
    task: u64,
    index: usize,
    rows: Range<usize>,
    work: &[u8],
) -> (Event, Option<Vec<u8>>) {
    let measured = postcard::from_bytes::<DcrWork>(work)
        .map_err(|e| format!("the helper could not read the rows to measure: {e}"))
        .and_then(|work| postcard::to_allocvec(&work.measure(rows)).map_err(|e| e.to_string()));
    match measured {
        Ok(bytes) => (Event::Measured { task, index }, Some(bytes)),
        Err(message) => (
            Event::HelpFailed {
                task,
                index,
                message,
            },
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_every_row_once_in_order() {
        for (rows, parts) in [(0, 1), (1, 3), (5_000, 1), (5_000, 3), (7, 7)] {
            let shares = split(rows, parts);
            assert_eq!(shares.len(), parts);
            assert_eq!(shares.first().unwrap().start, 0);
            assert_eq!(shares.last().unwrap().end, rows);
            assert!(shares.windows(2).all(|w| w[0].end == w[1].start));
        }
    }

    #[test]
    fn one_helper_per_core_beyond_the_workers_own_and_a_cap() {
        assert_eq!(helpers_for(0), 0);
        assert_eq!(helpers_for(1), 0);
        assert_eq!(helpers_for(2), 1);
        assert_eq!(helpers_for(4), 3);
        assert_eq!(helpers_for(64), MAX_HELPERS);
    }
}
