// The runtime, served to itself from this one file (docs/web.md).
//
// A page opened from disk may not fetch its neighbours (file:// is an opaque origin), so every file the
// Pyodide runtime needs is embedded below as base64 and answered from memory: window.fetch is replaced by a
// function that knows only those files (and refuses every other address: the page never uses a network),
// and the two loader modules are imported from blob: URLs. The wheels are unpacked into site-packages
// and xl_gongkai.webpage is imported; from then on the page only calls webpage.call(command, json).
"use strict";

window.xlGongkai = (function () {
  const manifest = JSON.parse(document.getElementById("xg-manifest").textContent);
  const INDEX = new URL("xg-runtime/", location.href).href;
  const realFetch = window.fetch.bind(window);
  const decoded = new Map();
  let pyodide = null;
  let webpage = null;

  class BrokenCopy extends Error {}

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // The bytes of an embedded file, decoded once and checked against the digest recorded at build time.
  function embedded(name) {
    if (!decoded.has(name)) decoded.set(name, decode(name));
    return decoded.get(name);
  }

  async function decode(name) {
    const entry = manifest.files.find((f) => f.name === name);
    const element = entry && document.getElementById(entry.id);
    if (!element) throw new BrokenCopy(name);
    const response = await realFetch("data:application/octet-stream;base64," + element.textContent.trim());
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length !== entry.size) throw new BrokenCopy(name);
    if (window.crypto && crypto.subtle) {
      if (hex(await crypto.subtle.digest("SHA-256", bytes)) !== entry.sha256) throw new BrokenCopy(name);
    }
    return bytes;
  }

  window.fetch = async function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    if (url.startsWith(INDEX)) {
      const name = url.slice(INDEX.length).split(/[?#]/)[0];
      const type = name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
      return new Response(await embedded(name), { status: 200, headers: { "Content-Type": type } });
    }
    throw new TypeError("本页不访问网络：" + url);
  };

  async function importEmbedded(name) {
    const blob = new Blob([await embedded(name)], { type: "text/javascript" });
    return import(URL.createObjectURL(blob));
  }

  async function load(progress) {
    progress(5, "正在解开页面内置的运行环境……");
    const [loader, asm] = await Promise.all([importEmbedded("pyodide.mjs"), importEmbedded("pyodide.asm.mjs")]);
    await Promise.all(manifest.files.map((f) => embedded(f.name)));
    progress(30, "正在启动 Python……");
    pyodide = await loader.loadPyodide({
      indexURL: INDEX,
      createPyodideModule: asm.default,
      lockFileContents: manifest.lock,
      stdout: (line) => console.log(line),
      stderr: (line) => console.warn(line),
    });
    progress(80, "正在安装校验程序……");
    for (const f of manifest.files.filter((f) => f.kind === "wheel")) {
      pyodide.unpackArchive(await embedded(f.name), "wheel");
    }
    progress(90, "正在载入格式规格和校验规则……");
    webpage = pyodide.pyimport("xl_gongkai.webpage");
    const data = {};
    for (const f of manifest.files.filter((f) => f.kind === "data")) {
      data[f.name] = webpage.receive(f.name, await embedded(f.name));
    }
    progress(100, "就绪");
    return data;
  }

  return {
    manifest,
    BrokenCopy,
    load,
    // Call a command of xl_gongkai.webpage; the result is a plain object (see that module).
    call(command, args) {
      return JSON.parse(webpage.call(command, JSON.stringify(args || {})));
    },
    // Keep a file's bytes in the page's in-memory file system; returns the path the commands are given.
    receive(name, bytes) {
      return webpage.receive(name, bytes);
    },
    read(path) {
      return pyodide.FS.readFile(path);
    },
  };
})();
