// The engine: Pyodide and xl_gongkai, in a Web Worker (a module worker) (docs/web.md, "web page" in docs/design.md).
//
// Everything slow happens here, off the page's own thread, so the page keeps drawing and answering while
// the runtime is decoded, compiled and started and while a command runs. The page (bridge.js) starts this
// worker from the embedded copy of this file and posts it the base64 text of every embedded file, piece by
// piece; the worker decodes and inflates each, checks its length and sha256 against the manifest the
// builder wrote, answers
// Pyodide's requests for them from memory (fetch is replaced: nothing is ever fetched from anywhere),
// imports the two loader modules from blob: URLs and starts Python. From then on it runs one request at a
// time: webpage.call(command, json), receive (a file into Python's in-memory file system), read (a file
// out of it).
const INDEX = "xg-runtime:/"; // the address Pyodide is given for its own files; only this worker answers it
const realFetch = self.fetch.bind(self);
const files = new Map(); // name -> Uint8Array, decoded and checked
let manifest = null;
let pyodide = null;
let webpage = null;
let drawn = null; // resolves when the page has drawn the stage last posted
let stages = 0;

// How long a stage waits to be drawn before the work goes on anyway (a page in a background tab draws
// nothing; its start must not stall).
const DRAW_WAIT_MS = 250;
// The stages of the start, each [from %, to %, what the page says]; the shares follow the time each takes
// (make bench prints them: about 1 / 6 / 0.1 / 0.6 s).
const STAGES = {
  decode: [0, 15, "正在解开页面内置的运行环境……"],
  python: [15, 88, "正在启动 Python……"],
  wheels: [88, 90, "正在安装校验程序……"],
  rules: [90, 100, "正在载入格式规格和校验规则……"],
};

class BrokenCopy extends Error {}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The pieces of the page's embedded files, as the page posts them (one message each).
const pieces = new Map();
const waitingFor = new Map();

function pieceOf(id) {
  if (pieces.has(id)) return Promise.resolve(pieces.get(id));
  return new Promise((resolve) => waitingFor.set(id, resolve));
}

function arrived(id, text) {
  if (waitingFor.has(id)) {
    waitingFor.get(id)(text);
    waitingFor.delete(id);
  } else {
    pieces.set(id, text);
  }
}

// One embedded file: its pieces decoded as they arrive and inflated (gzip), then checked against the
// length and sha256 the builder wrote. Anything that does not match is a broken copy.
async function decode(entry, onPiece) {
  const inflate = entry.gzip ? new DecompressionStream("gzip") : new TransformStream();
  const writer = inflate.writable.getWriter();
  const whole = new Response(inflate.readable).arrayBuffer();
  let bytes;
  try {
    for (const id of entry.ids) {
      const text = await pieceOf(id);
      pieces.delete(id);
      const response = await realFetch("data:application/octet-stream;base64," + text);
      await writer.write(new Uint8Array(await response.arrayBuffer()));
      onPiece(text.length);
    }
    await writer.close();
    bytes = new Uint8Array(await whole);
  } catch (e) {
    whole.catch(() => null);
    throw new BrokenCopy(entry.name);
  }
  if (bytes.length !== entry.size) throw new BrokenCopy(entry.name);
  if (self.crypto && crypto.subtle) {
    if (hex(await crypto.subtle.digest("SHA-256", bytes)) !== entry.sha256) throw new BrokenCopy(entry.name);
  }
  return bytes;
}

self.fetch = async function (input) {
  const url = String(input instanceof Request ? input.url : input);
  if (url.startsWith(INDEX)) {
    const name = url.slice(INDEX.length).split(/[?#]/)[0];
    if (!files.has(name)) return new Response("", { status: 404 });
    const type = name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
    return new Response(files.get(name), { status: 200, headers: { "Content-Type": type } });
  }
  throw new TypeError("本页不访问网络：" + url);
};

function importEmbedded(name) {
  const blob = new Blob([files.get(name)], { type: "text/javascript" });
  return import(URL.createObjectURL(blob));
}

// One stage of the start, posted to the page; the next begins once the page has drawn it.
async function stage(value, text) {
  const n = ++stages;
  const seen = new Promise((resolve) => { drawn = (m) => m.n === n && resolve(); });
  self.postMessage({ type: "progress", value, text, n });
  await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, DRAW_WAIT_MS))]);
}

async function start(message) {
  manifest = message.manifest;
  const total = manifest.files.reduce((n, f) => n + f.encoded, 0);
  const [from, to, text] = STAGES.decode;
  let done = 0;
  await stage(from, text);
  for (const entry of manifest.files) {
    files.set(entry.name, await decode(entry, (n) => {
      done += n;
      self.postMessage({ type: "progress", value: from + (to - from) * done / total, text });
    }));
  }
  await stage(STAGES.python[0], STAGES.python[2]);
  const [loader, asm] = await Promise.all([importEmbedded("pyodide.mjs"), importEmbedded("pyodide.asm.mjs")]);
  pyodide = await loader.loadPyodide({
    indexURL: INDEX,
    createPyodideModule: asm.default,
    lockFileContents: manifest.lock,
    stdout: (line) => console.log(line),
    stderr: (line) => console.warn(line),
  });
  await stage(STAGES.wheels[0], STAGES.wheels[2]);
  for (const f of manifest.files.filter((f) => f.kind === "wheel")) {
    pyodide.unpackArchive(files.get(f.name), "wheel");
  }
  await stage(STAGES.rules[0], STAGES.rules[2]);
  webpage = pyodide.pyimport("xl_gongkai.webpage");
  webpage.warm();
  const data = {};
  for (const f of manifest.files.filter((f) => f.kind === "data")) {
    data[f.name] = webpage.receive(f.name, files.get(f.name));
  }
  for (const f of manifest.files) {
    if (f.kind !== "runtime") files.delete(f.name); // the runtime's own files stay: Pyodide may ask again
  }
  return data;
}

const REQUESTS = {
  call: (m) => JSON.parse(webpage.call(m.command, JSON.stringify(m.args || {}))),
  receive: (m) => {
    const path = webpage.receive(m.name, m.bytes);
    return { path, sha256: webpage.digest(path) };
  },
  read: (m) => pyodide.FS.readFile(m.path),
};

let queue = Promise.resolve();

self.onmessage = (event) => {
  const m = event.data;
  if (m.type === "drawn") {
    if (drawn) drawn(m);
    return;
  }
  if (m.type === "piece") {
    arrived(m.id, m.text);
    return;
  }
  if (m.type === "start") {
    start(m).then(
      (data) => self.postMessage({ type: "ready", data }),
      (e) => self.postMessage({ type: "failed", broken: e instanceof BrokenCopy ? e.message : null,
                                message: String(e && e.stack ? e.stack : e) }));
    return;
  }
  queue = queue.then(() => {
    try {
      const value = REQUESTS[m.type](m);
      const transfer = value instanceof Uint8Array ? [value.buffer] : [];
      self.postMessage({ type: "answer", id: m.id, value }, transfer);
    } catch (e) {
      self.postMessage({ type: "answer", id: m.id, error: String(e && e.stack ? e.stack : e) });
    }
  });
};
