//! Files written as they are made: the File System Access API's save picker (Chromium
//! browsers). The page asks where to save, in the press of Generate (the picker needs
//! the user's gesture); the worker writes each chunk to the file as it is made, so the
//! output never sits in memory whole. Called through `Reflect`: web-sys has these
//! APIs only behind its unstable flag.

use wasm_bindgen::JsValue;

fn picker() -> Option<js_sys::Function> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"showSaveFilePicker".into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into(f).ok())
}

/// Whether this browser can write a file as it is made.
pub fn available() -> bool {
    picker().is_some()
}

/// Asks the user where to save `name` (a promise of a file handle, rejected when the
/// user closes the picker). Call it in the event handler of the press itself.
pub fn ask_where(name: &str) -> Option<js_sys::Promise> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"suggestedName".into(), &JsValue::from_str(name)).ok()?;
    let window = web_sys::window()?;
    let promise: js_sys::Promise = picker()?
        .call1(&window, &options)
        .ok()
        .map(wasm_bindgen::JsCast::unchecked_into)?;
    // Answered later (after the spec is found): a closed picker is handled then, not
    // an unhandled rejection now.
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
    let _ = promise.catch(&ignore);
    ignore.forget(); // one small closure per press of Generate
    Some(promise)
}
