// The page: opens files, calls xl_gongkai.webpage through window.xlGongkai (bridge.js, which passes every
// call to the engine in its Web Worker), and renders what it returns. Every message about a report, every
// rule and every column label comes from Python; this script only places them. "?today=YYYY-MM-DD" fixes
// the date the checks take as today (docs/web.md); "#selftest" runs the self-test and writes its outcome
// into the element with id "selftest".
//
// What a clerk can rely on (docs/web.md):
// - one command at a time: while one runs, every button (the file choosers too) is disabled, so a click on
//   a busy page does nothing and cannot land on whatever moved under the pointer. Disabled with
//   aria-disabled, not the disabled attribute: a focused button that becomes disabled loses the keyboard
//   focus (Firefox moves it out of the page), and a clerk on the keyboard must not lose their place;
// - every command works on the file as it is on disk now: the file is read again first (through its file
//   handle where the browser gives one, otherwise through the chosen File); when the browser will not read
//   it again, the page says the file must be chosen again and runs nothing on the old copy;
// - explanations typed here are kept in the browser (localStorage, under the sha256 of the file's content)
//   until they are in a file the page wrote, and leaving the page before that asks first.
"use strict";

(function () {
  if (window.xgTooOld || !window.xlGongkai) return; // floor.js or boot.js says why
  const gk = window.xlGongkai;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  // Explanations are kept under this prefix and the file's sha256; the oldest beyond KEPT are dropped
  // (a clerk's files of one reporting season fit many times over).
  const STORE = "xl-gongkai:explanations:";
  const KEPT = 50;
  const state = {
    today: params.get("today") || null,
    columns: [],
    result: null,
    explanations: {},
    unsaved: false, // explanations typed here and not yet in a file the page wrote
    source: null, // {name, file, handle, path, sha256, generated}
    previous: null, // the same, for last year's report
    busy: false,
    again: false, // an explanation changed while a command ran: check again after it
    focusAfter: null, // the id of the control the clerk needs next, once the command has finished
  };
  window.xgStages = []; // each start stage, once drawn (the tests read it)

  // Opened at "#selftest", the page counts as loading until the self-test has its outcome (an open,
  // unfinished frame holds the load event), so that a headless browser's --dump-dom, which prints the page
  // once it has loaded, prints the outcome rather than a page still starting (docs/web.md, for IT).
  const loaded = location.hash === "#selftest" ? holdLoad() : () => {};

  function holdLoad() {
    const frame = element("iframe", { hidden: "", title: "自检" });
    document.body.appendChild(frame);
    const doc = frame.contentDocument;
    doc.open();
    return () => {
      doc.close();
      frame.remove();
    };
  }

  function progress(value, text) {
    $("progress").value = value;
    $("stage").textContent = text;
    requestAnimationFrame(() => {
      const last = window.xgStages[window.xgStages.length - 1];
      if (!last || last.text !== text) window.xgStages.push({ value: Math.round(value), text, at: Math.round(performance.now()) });
    });
  }

  function element(tag, attrs, text) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  // A result that is not ok: its message (and a defect's details) in the message area. Returns ok.
  function show(result) {
    $("defect").hidden = true;
    if (result.ok) return true;
    say(result.message, result.kind);
    if (result.details) {
      $("defect-details").textContent = result.details;
      $("defect").hidden = false;
    }
    return false;
  }

  function say(text, kind) {
    const box = $("message");
    box.className = "message " + (kind || "ok");
    box.textContent = text || "";
    box.hidden = !text;
  }

  // --- explanations kept across reloads -------------------------------------------------------------------

  function stored(sha256) {
    try {
      const kept = JSON.parse(localStorage.getItem(STORE + sha256) || "null");
      return kept && kept.explanations ? kept.explanations : null;
    } catch (e) {
      return null; // storage switched off: the warning before leaving still guards the work
    }
  }

  function store() {
    const src = state.source;
    if (!src) return;
    try {
      const typed = Object.fromEntries(Object.entries(state.explanations).filter(([, v]) => v.trim()));
      if (Object.keys(typed).length === 0) {
        localStorage.removeItem(STORE + src.sha256);
        return;
      }
      localStorage.setItem(STORE + src.sha256, JSON.stringify({ name: src.name, saved: Date.now(), explanations: typed }));
      const keys = [];
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (key.startsWith(STORE)) keys.push([JSON.parse(localStorage.getItem(key)).saved || 0, key]);
      }
      keys.sort((a, b) => a[0] - b[0]);
      for (const [, key] of keys.slice(0, Math.max(0, keys.length - KEPT))) localStorage.removeItem(key);
    } catch (e) {
      console.warn("explanations not kept", e);
    }
  }

  // A file dropped anywhere but the drop zone (or before the page is ready) must not make the browser leave
  // the page to show the file.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  window.addEventListener("beforeunload", (event) => {
    if (!state.unsaved) return;
    event.preventDefault();
    event.returnValue = ""; // the browser asks "leave this page?" in its own words
  });

  // --- one command at a time ------------------------------------------------------------------------------

  function refresh() {
    const r = state.result;
    $("do-fill").disabled = !r || !r.can_fill;
    $("previous-clear").hidden = !state.previous;
  }

  function busy(label) {
    state.busy = Boolean(label);
    for (const el of document.querySelectorAll("#app button")) {
      if (state.busy) el.setAttribute("aria-disabled", "true");
      else el.removeAttribute("aria-disabled");
    }
    $("app").setAttribute("aria-busy", String(state.busy));
    $("busy").textContent = label || "";
  }

  // Run one command: every button is disabled until it has finished; the outcome is counted in
  // <body data-done> (tests and people know it has finished).
  async function run(label, fn) {
    if (state.busy) return;
    busy(label || "正在处理……");
    state.focusAfter = null;
    try {
      await fn();
    } catch (e) { // a failure of this script itself, not of a command (those come back as results)
      console.error(e);
      show({ ok: false, kind: "defect", message: "页面脚本出错，操作没有完成：" + e, details: String(e.stack || e) });
    } finally {
      busy("");
      refresh();
      if (state.focusAfter) $(state.focusAfter).focus(); // where the outcome sends the clerk next
      document.body.dataset.done = String(Number(document.body.dataset.done || 0) + 1);
    }
    if (state.again) {
      state.again = false;
      await run("正在校验……", check);
    }
  }

  // --- files ----------------------------------------------------------------------------------------------

  async function bytesOf(entry) {
    const file = entry.handle ? await entry.handle.getFile() : entry.file;
    return new Uint8Array(await file.arrayBuffer());
  }

  function refusedAgain(entry, which) {
    const button = which === "previous" ? "选择上年报告……" : "选择文件……";
    say("浏览器不允许再次读取“" + entry.name + "”：它在打开以后被改动、移动或删除了（例如在 WPS 中保存过）。" +
        "请点“" + button + "”重新选择这个文件" + (which === "previous" ? "" : "，您填写的说明会保留") +
        "。本页不会用改动前的内容继续操作，下面仍是改动前的校验结果。", "refused");
    state.focusAfter = which === "previous" ? "choose-previous" : "choose";
  }

  // The file as it is on disk now; false when the browser will not read it again (the clerk is told).
  async function reread(which) {
    const entry = state[which];
    if (!entry || entry.generated) return true;
    let bytes;
    try {
      bytes = await bytesOf(entry);
    } catch (e) {
      refusedAgain(entry, which);
      return false;
    }
    const got = await gk.receive(entry.name, bytes);
    entry.changed = got.sha256 !== entry.sha256;
    entry.path = got.path;
    entry.sha256 = got.sha256;
    if (entry.changed && which === "source") store(); // the explanations go with the new content
    return true;
  }

  async function fresh() {
    return (await reread("source")) && (await reread("previous"));
  }

  function args(extra) {
    return Object.assign({ path: state.source.path, today: state.today, explanations: state.explanations,
                           previous: state.previous ? state.previous.path : null }, extra);
  }

  async function open(file, handle, which) {
    say("");
    let bytes;
    try {
      bytes = await bytesOf({ file, handle });
    } catch (e) {
      say("浏览器无法读取“" + file.name + "”（" + e.name + "）：请确认文件仍在原处、没有被其他程序独占，再选择一次。",
          "input");
      return;
    }
    const got = await gk.receive(file.name, bytes);
    const entry = { name: file.name, file, handle, path: got.path, sha256: got.sha256, generated: false };
    if (which === "previous") {
      state.previous = entry;
      $("previous-name").textContent = file.name;
      if (state.source) await check();
      return;
    }
    state.source = entry;
    const kept = stored(got.sha256);
    state.explanations = kept || {};
    state.unsaved = Boolean(kept);
    $("result").hidden = true;
    await check();
    if (kept && state.result) {
      say("已恢复上次在本页为这份文件填写的 " + Object.keys(kept).length + " 条说明（还没有写进文件：" +
          "请用“填充合计”写进工作簿，或导出数据包）。");
    }
  }

  // The file chooser: the browser's file handle where it offers one (it can be read again after the
  // clerk saves the file in WPS), otherwise the file input, reset so that the same file can be chosen again.
  async function choose(which) {
    if (state.busy) return;
    const input = $(which === "previous" ? "previous" : "file");
    if (!window.showOpenFilePicker) {
      input.click();
      return;
    }
    let handle;
    try {
      [handle] = await window.showOpenFilePicker();
    } catch (e) {
      if (e.name !== "AbortError") input.click(); // a browser that has the picker but forbids it here
      return;
    }
    await run("正在读取……", async () => open(await handle.getFile(), handle, which));
  }

  function chosen(which) {
    const input = $(which === "previous" ? "previous" : "file");
    const file = input.files[0];
    input.value = "";
    if (file) run("正在读取……", () => open(file, null, which));
  }

  function dropped(event) {
    event.preventDefault();
    $("drop").classList.remove("over");
    if (state.busy) return;
    const item = event.dataTransfer.items && event.dataTransfer.items[0];
    const file = event.dataTransfer.files[0];
    // the handle must be asked for while the drop event lasts; only a real drop has one
    const real = event.isTrusted && item && item.kind === "file" && item.getAsFileSystemHandle;
    const pending = real ? item.getAsFileSystemHandle() : null;
    if (!file) return;
    run("正在读取……", async () => {
      const handle = pending ? await pending.catch(() => null) : null;
      await open(file, handle && handle.kind === "file" ? handle : null, "source");
    });
  }

  function clearPrevious() {
    state.previous = null;
    $("previous-name").textContent = "";
    return state.source ? check() : null;
  }

  async function download(file) {
    const url = URL.createObjectURL(new Blob([await gk.read(file.path)], { type: file.mime }));
    const link = element("a", { href: url, download: file.name, "data-path": file.path }, file.name);
    const item = element("li");
    item.appendChild(link);
    $("downloads").appendChild(item);
    $("downloads-box").hidden = false;
    link.click();
  }

  // --- the commands ---------------------------------------------------------------------------------------

  async function check() {
    if (!state.source || !(await fresh())) return;
    const result = await gk.call("check", args());
    if (show(result)) renderCheck(result);
  }

  // 重新校验: the file read again from disk, and said whether it changed.
  async function recheck() {
    const src = state.source;
    if (src.generated) {
      await check();
      say("当前文件是本页生成的“" + src.name + "”，上面是它的校验结果。如果您在 WPS 或 Excel 中改动并保存了下载的这份文件，" +
          "请点“选择文件……”选择它，本页才能读到改动。", "refused");
      return;
    }
    if (!(await fresh())) return;
    const result = await gk.call("check", args());
    if (!show(result)) return;
    renderCheck(result);
    say(src.changed ? "已重新读取“" + src.name + "”：文件已改动，以上是新的校验结果。"
                    : "已重新读取“" + src.name + "”：文件没有改动。");
  }

  async function act(command, extra) {
    say("");
    if (!(await fresh())) return;
    const result = await gk.call(command, args(extra));
    if (!show(result)) return;
    for (const file of result.files) await download(file);
    if (command === "fill" || command === "export") state.unsaved = false; // the explanations are in a file now
    if (result.source) {
      state.source = { name: result.files[0].name, file: null, handle: null, path: result.source,
                       sha256: result.sha256, generated: true };
      store();
      if (show(result.check)) renderCheck(result.check);
    }
    say(result.message);
  }

  async function blank() {
    say("");
    const result = await gk.call("blank", { agency: $("blank-agency").value, year: $("blank-year").value,
                                            today: state.today });
    if (!show(result)) return;
    for (const file of result.files) await download(file);
    say(result.message);
  }

  async function downloadJson() {
    const blob = new Blob([state.result.json], { type: "application/json" });
    const name = state.result.json_name;
    const link = element("a", { href: URL.createObjectURL(blob), download: name }, name);
    const item = element("li");
    item.appendChild(link);
    $("downloads").appendChild(item);
    $("downloads-box").hidden = false;
    link.click();
  }

  // --- rendering ------------------------------------------------------------------------------------------

  function renderHead() {
    const row = $("findings").querySelector("thead tr");
    row.replaceChildren(...state.columns.map((c) => element("th", { "data-col": c.key, scope: "col" }, c.label)));
  }

  function renderCheck(result) {
    state.result = result;
    $("result").hidden = false;
    $("headline").textContent = result.headline;
    $("current").textContent = "当前文件：" + result.file;
    $("notes").replaceChildren(...result.notes.map((n) => element("li", {}, n)));
    $("totals").textContent = result.totals;
    renderFindings(result.findings);
    $("findings").hidden = result.findings.length === 0;
    const paragraphs = Object.values(result.summary.paragraphs);
    $("summary-text").replaceChildren(...paragraphs.map((p) => element("p", {}, p)));
    refresh();
  }

  // Rows are kept by their finding's key and updated in place, so that the field being typed in keeps
  // its focus and its text while a check runs.
  function renderFindings(findings) {
    const body = $("findings").querySelector("tbody");
    const rows = new Map([...body.rows].map((r) => [r.dataset.id, r]));
    const seen = new Map();
    let cursor = body.firstElementChild;
    for (const f of findings) {
      const n = (seen.get(f.key) || 0) + 1;
      seen.set(f.key, n);
      const id = n === 1 ? f.key : f.key + "#" + n;
      let row = rows.get(id);
      if (row) {
        rows.delete(id);
        fillRow(row, f);
      } else {
        row = element("tr", { "data-id": id, "data-key": f.key });
        fillRow(row, f);
      }
      if (row === cursor) cursor = cursor.nextElementSibling;
      else body.insertBefore(row, cursor);
    }
    for (const row of rows.values()) row.remove();
  }

  let rowIds = 0;

  function fillRow(row, f) {
    // 待核对 (a cell the import could not read) must be acted on as an 错误 must; 待填写 is shown as a 提示
    row.className = "sev-" + (f.severity === "错误" || f.severity === "待核对" ? "error" : "warning");
    if (!row.cells.length) {
      const ident = "f" + ++rowIds;
      for (const c of state.columns) row.appendChild(element("td", { "data-col": c.key, id: ident + "-" + c.key }));
    }
    for (const cell of row.cells) {
      const key = cell.dataset.col;
      if (key === "explanation" && f.explainable) {
        let area = cell.querySelector("textarea");
        if (!area) {
          area = element("textarea", { rows: "2", "data-key": f.key,
                                       "aria-labelledby": cell.id.replace(/-explanation$/, "-message") });
          area.addEventListener("change", () => explained(f.key, area.value));
          cell.replaceChildren(area);
        }
        if (document.activeElement !== area) {
          area.value = f.key in state.explanations ? state.explanations[f.key] : f.explanation;
        }
      } else {
        cell.textContent = f[key] === undefined ? "" : String(f[key]);
      }
    }
  }

  function explained(key, value) {
    state.explanations[key] = value;
    state.unsaved = true;
    store();
    if (state.busy) state.again = true;
    else run("正在校验……", check);
  }

  // --- start ----------------------------------------------------------------------------------------------

  function fatal(text) {
    $("loading").hidden = true;
    $("fatal").textContent = text;
    $("fatal").hidden = false;
    $("selftest").textContent = "未通过：" + text;
    document.body.dataset.state = "failed";
  }

  function wire() {
    $("choose").addEventListener("click", () => choose("source"));
    $("choose-previous").addEventListener("click", () => choose("previous"));
    $("file").addEventListener("change", () => chosen("source"));
    $("previous").addEventListener("change", () => chosen("previous"));
    $("previous-clear").addEventListener("click", () => run("正在校验……", clearPrevious));
    const drop = $("drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", dropped);
    $("do-check").addEventListener("click", () => run("正在重新读取文件并校验……", recheck));
    $("do-fill").addEventListener("click", () => run("正在填充合计……", () => act("fill")));
    $("do-export").addEventListener("click", () => run("正在导出……", () => act("export", { draft: $("draft").checked })));
    $("do-report").addEventListener("click", () => run("正在生成年报……", () => act("report")));
    $("do-json").addEventListener("click", () => run("", downloadJson));
    $("do-blank").addEventListener("click", () => run("正在生成空白工作簿……", blank));
  }

  async function main() {
    try {
      await start();
    } finally {
      loaded();
    }
  }

  async function start() {
    if (document.readyState === "loading") { // boot.js checks the copy when all of it has been read
      await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
    }
    if (window.xgBroken) return; // boot.js has said what is wrong with this copy
    let data;
    try {
      data = await gk.load(progress);
    } catch (e) {
      console.error(e);
      if (e instanceof gk.BrokenCopy) window.xgDamaged("内置文件 " + e.message);
      else fatal("运行环境未能启动（" + e + "）。请换用新版的 Chrome、Edge 或 Firefox 打开本文件。");
      return;
    }
    const info = await gk.call("start", { today: state.today });
    $("loading").hidden = true;
    $("app").hidden = false;
    if (!show(info)) {
      document.body.dataset.state = "failed";
      return;
    }
    state.columns = info.columns;
    $("word-note").textContent = info.word_note;
    $("accepts").textContent = info.accepts;
    $("blank-agency-label").textContent = info.blank.agency;
    $("blank-year-label").textContent = info.blank.year;
    Object.assign($("blank-year"), { value: info.blank.default_year, min: info.blank.first_year,
                                     max: info.blank.last_year });
    $("about").textContent = "xl_gongkai " + info.version + " · " + info.form + " · Pyodide " +
      gk.manifest.pyodide + (info.today ? " · 校验日期按 " + info.today : "");
    renderHead();
    wire();
    refresh();
    const selftest = async () => {
      if (location.hash !== "#selftest") return;
      const m = gk.manifest.selftest;
      const result = await gk.call("selftest", { example: data[m.example], workbook: data[m.workbook],
                                                 expected: data[m.expected] });
      $("selftest").textContent = result.ok ? result.text : "未通过：" + result.message;
      if (result.ok && result.detail) $("selftest").title = result.detail;
    };
    await selftest();
    window.addEventListener("hashchange", selftest); // "#selftest" typed after the page has opened
    performance.mark("xg-ready"); // make bench reads it: the cold start, from navigation to a usable page
    document.body.dataset.state = "ready";
  }

  window.xgStarted = true; // boot.js: the page's script is here and running
  main();
})();
