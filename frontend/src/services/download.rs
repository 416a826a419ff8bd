//! Object URLs for downloads: the worker's output Blob, or text made in the page.

use wasm_bindgen::JsValue;

/// An object URL for a Blob (revoke it with [`revoke`] when it is replaced).
pub fn blob_url(blob: &web_sys::Blob) -> Result<String, String> {
    web_sys::Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))
}

/// An object URL for text (the SafeProfile JSON).
pub fn text_url(text: &str, content_type: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    blob_url(&blob)
}

/// Saves an object URL as a file, as a click on a download link would.
pub fn save(url: &str, name: &str) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not a link")?;
    link.set_href(url);
    link.set_download(name);
    link.click();
    Ok(())
}

/// Frees an object URL.
pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}
