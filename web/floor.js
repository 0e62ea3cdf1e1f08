// The browser floor, checked before anything else (plain ES5, so that an old browser can run this much).
// The runtime needs WebAssembly with exception handling (Chrome/Edge 95, Firefox 100) and reference types
// (Chrome/Edge 96), and class static blocks in its loader (Chrome 94, Firefox 93); it runs in a module
// worker (Chrome/Edge 80, Firefox 114: Pyodide refuses classic workers) and inflates the embedded files
// with DecompressionStream (Chrome/Edge 80, Firefox 113): Chrome/Edge >= 96, Firefox >= 114. The tiny
// module below uses try/catch_all and ref.null extern; a browser that cannot validate it cannot start the
// runtime. Python cannot run here, so this message is one of the few texts the page itself must say.
(function () {
  "use strict";
  var MODULE = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                       // type: () -> ()
    0x03, 0x02, 0x01, 0x00,                                   // one function of that type
    0x0a, 0x0b, 0x01, 0x09, 0x00,                             // code: one body, no locals
    0xd0, 0x6f, 0x1a,                                         // ref.null extern; drop
    0x06, 0x40, 0x19, 0x0b, 0x0b];                            // try; catch_all; end; end
  // A browser that knows module workers reads the "type" option when a worker is made.
  function moduleWorkers() {
    var read = false;
    try {
      var options = {};
      Object.defineProperty(options, "type", { get: function () { read = true; return "module"; } });
      new Worker("data:text/javascript,", options).terminate();
    } catch (e) {
      return false;
    }
    return read;
  }
  function supported() {
    try {
      if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return false;
      if (typeof WebAssembly.Exception !== "function") return false;
      if (!WebAssembly.validate(new Uint8Array(MODULE))) return false;
      if (typeof Object.hasOwn !== "function" || typeof Promise === "undefined") return false;
      if (!window.Blob || !window.URL || !URL.createObjectURL || !window.TextDecoder) return false;
      new Function("class A { static { this.x = 1; } }; return import('data:text/javascript,');");
      if (typeof DecompressionStream !== "function" || !window.Worker) return false;
      return moduleWorkers();
    } catch (e) {
      return false;
    }
  }
  window.xgTooOld = !supported();
  if (window.xgTooOld) {
    var text = "这个浏览器版本太旧，无法运行本页：需要 Chrome 或 Edge 96 及以上、Firefox 114 及以上，" +
      "或基于这些版本的国产浏览器（360、奇安信等请使用“极速模式”）。请升级浏览器，或换一个浏览器打开本文件。";
    var fatal = document.getElementById("fatal");
    fatal.appendChild(document.createTextNode(text));
    fatal.hidden = false;
    document.getElementById("loading").hidden = true;
    document.getElementById("selftest").appendChild(document.createTextNode("未通过：" + text));
  }
})();
