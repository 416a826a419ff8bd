// The page's streamed downloads, for browsers without the File System Access API
// (Firefox, Safari): a service worker that answers one request with a stream.
//
// The page hands it a MessagePort, then opens `download-sw/<id>/<name>` in a hidden
// frame; the answer to that request is a stream fed from the port, which the browser
// saves as a download while the page's worker makes the rows. Each chunk the browser
// pulls is asked of the worker (`pull`), so the generator waits for the disk and no
// more than a few chunks are ever held here: memory stays flat in the row count.
// Nothing is fetched and nothing leaves the machine; every other request goes to the
// network as if this worker were not there (the page registers it for `download-sw/`
// only).
'use strict';

/** Downloads announced by the page, not yet opened by their frame: id -> details. */
const announced = new Map();
/** Downloads whose stream is open. */
const open = new Set();

// Registered with the scope `download-sw/`: the page's own requests never come here.
self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('message', (event) => {
  const data = event.data || {};
  const [reply, chunks] = event.ports;
  if (typeof data.download === 'string' && reply && chunks) {
    announced.set(data.download, {
      chunks,
      name: String(data.name || 'download'),
      type: String(data.type || 'application/octet-stream'),
    });
    reply.postMessage('ready');
  } else if (typeof data.ping === 'string' && reply) {
    // The page asks every few seconds while a download runs: the message keeps this
    // worker alive (browsers stop an idle one), and the answer says when it is over.
    reply.postMessage(open.has(data.ping) || announced.has(data.ping));
  }
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const match = url.pathname.match(/\/download-sw\/([^/]+)\/[^/]*$/);
  if (!match || url.origin !== self.location.origin) return;
  const id = match[1];
  const download = announced.get(id);
  announced.delete(id);
  if (!download) {
    event.respondWith(new Response('This download has ended, or was never started.', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    }));
    return;
  }
  open.add(id);
  const port = download.chunks;
  let wake = null;
  const over = () => {
    open.delete(id);
    port.onmessage = null;
    port.close();
  };
  const stream = new ReadableStream({
    start(controller) {
      port.onmessage = ({ data }) => {
        if (data instanceof Uint8Array) {
          controller.enqueue(data);
        } else if (data === 'end') {
          controller.close();
          over();
        } else if (data && typeof data.error === 'string') {
          controller.error(new Error(data.error));
          over();
        }
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      };
    },
    // One chunk asked per pull; the stream pulls while it holds fewer than
    // `highWaterMark` chunks.
    pull() {
      port.postMessage('pull');
      return new Promise((resolve) => { wake = resolve; });
    },
    cancel() {
      port.postMessage('cancel');
      over();
    },
  }, { highWaterMark: 4 });
  event.respondWith(new Response(stream, {
    headers: {
      'Content-Type': download.type,
      'Content-Disposition': disposition(download.name),
      'X-Content-Type-Options': 'nosniff',
    },
  }));
});

/** `attachment` with the name: an ASCII fallback and the exact name (RFC 6266). */
function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
