// The page's side of the engine (engine.js, a Web Worker): starts it, hands it the embedded files, and
// passes requests and answers. Nothing here computes; every call returns a Promise, so the page's own
// thread only ever waits (docs/web.md).
//
// The worker is made from the embedded copy of engine.js, checked against its sha256 first. Each embedded
// file goes to the worker as the base64 text of its pieces, one message per piece, so that no single step
// of this thread handles more than a piece.
"use strict";

window.xlGongkai = (function () {
  const manifest = JSON.parse(document.getElementById("xg-manifest").textContent);
  let worker = null;
  let next = 0;
  const waiting = new Map();

  class BrokenCopy extends Error {}

  function piece(entry, id) {
    const element = document.getElementById(id);
    if (!element) throw new BrokenCopy(entry.name);
    return element.textContent;
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The engine's own source, checked here against its sha256 (it is the one embedded file this thread
  // starts), as the address of a module worker. A data: address, because a worker made from a blob: address
  // of a page opened from disk cannot import modules in Chromium; a module worker, because Pyodide runs in
  // no other kind (Firefox 114 and later, docs/web.md).
  async function engineUrl() {
    const entry = manifest.engine;
    const url = "data:text/javascript;base64," + entry.ids.map((id) => piece(entry, id)).join("");
    let bytes;
    try {
      bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    } catch (e) {
      throw new BrokenCopy(entry.name);
    }
    if (bytes.length !== entry.size) throw new BrokenCopy(entry.name);
    if (window.crypto && crypto.subtle && hex(await crypto.subtle.digest("SHA-256", bytes)) !== entry.sha256) {
      throw new BrokenCopy(entry.name);
    }
    return url;
  }

  const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

  // Start the engine; ``progress(value, text)`` is called for each stage, and the engine goes on once
  // the stage has been drawn. Resolves with the paths of the self-test's files once Python is ready.
  async function load(progress) {
    worker = new Worker(await engineUrl(), { type: "module", name: "xl-gongkai engine" });
    const ready = new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        const m = event.data;
        if (m.type === "progress") {
          progress(m.value, m.text);
          if (m.n) requestAnimationFrame(() => setTimeout(() => worker.postMessage({ type: "drawn", n: m.n }), 0));
        } else if (m.type === "ready") {
          worker.onmessage = answer;
          resolve(m.data);
        } else if (m.type === "failed") {
          reject(m.broken ? new BrokenCopy(m.broken) : new Error(m.message));
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message || "worker"));
      };
    });
    // One piece per task: reading a text node and copying it to the worker is all this thread does for the
    // runtime; the engine decodes each piece as it comes.
    worker.postMessage({ type: "start", manifest });
    for (const entry of manifest.files) {
      for (const id of entry.ids) {
        worker.postMessage({ type: "piece", id, text: piece(entry, id) });
        await pause();
      }
    }
    return ready;
  }

  function answer(event) {
    const m = event.data;
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if ("error" in m) w.reject(new Error(m.error));
    else w.resolve(m.value);
  }

  function request(message, transfer) {
    const id = ++next;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage(Object.assign({ id }, message), transfer || []);
    });
  }

  return {
    manifest,
    BrokenCopy,
    load,
    get worker() {
      return worker;
    },
    // A command of xl_gongkai.webpage; resolves with its result (a plain object, see that module).
    call(command, args) {
      return request({ type: "call", command, args: args || {} });
    },
    // A file's bytes into the engine's in-memory file system; resolves with {path, sha256}.
    receive(name, bytes) {
      const copy = new Uint8Array(bytes); // the caller keeps its own bytes; the copy is moved, not cloned
      return request({ type: "receive", name, bytes: copy }, [copy.buffer]);
    },
    // A file the engine wrote; resolves with its bytes.
    read(path) {
      return request({ type: "read", path });
    },
  };
})();
