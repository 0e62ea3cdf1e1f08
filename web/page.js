// The page: opens files, calls xl_gongkai.webpage through window.xlGongkai, and renders what it returns.
// Every message about a report, every rule and every column label comes from Python; this script only
// places them. "?today=YYYY-MM-DD" fixes the date the checks take as today (docs/web.md); "#selftest"
// runs the self-test and writes its outcome into the element with id "selftest".
"use strict";

(function () {
  if (window.xgTooOld) return;
  const gk = window.xlGongkai;
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const state = { today: params.get("today") || null, source: null, previous: null,
                  explanations: {}, result: null, columns: [] };

  function progress(value, text) {
    $("progress").value = value;
    $("stage").textContent = text;
  }

  function element(tag, attrs, text) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  // A result that is not ok: its message (and a defect's details) in the message area. Returns ok.
  function show(result) {
    const box = $("message");
    $("defect").hidden = true;
    if (result.ok) return true;
    box.className = "message " + result.kind;
    box.textContent = result.message;
    box.hidden = false;
    if (result.details) {
      $("defect-details").textContent = result.details;
      $("defect").hidden = false;
    }
    return false;
  }

  function say(text) {
    const box = $("message");
    box.className = "message ok";
    box.textContent = text;
    box.hidden = !text;
  }

  function download(file) {
    const url = URL.createObjectURL(new Blob([gk.read(file.path)], { type: file.mime }));
    const link = element("a", { href: url, download: file.name, "data-path": file.path }, file.name);
    const item = element("li");
    item.appendChild(link);
    $("downloads").appendChild(item);
    $("downloads-box").hidden = false;
    link.click();
  }

  function args(extra) {
    return Object.assign({ path: state.source, today: state.today, explanations: state.explanations }, extra);
  }

  function renderHead() {
    const row = $("findings").querySelector("thead tr");
    row.replaceChildren(...state.columns.map((c) => element("th", { "data-col": c.key }, c.label)));
  }

  function renderCheck(result) {
    state.result = result;
    $("result").hidden = false;
    $("headline").textContent = result.headline;
    $("current").textContent = "当前文件：" + result.file;
    $("notes").replaceChildren(...result.notes.map((n) => element("li", {}, n)));
    $("totals").textContent = result.totals;
    $("do-fill").disabled = !result.can_fill;
    const body = $("findings").querySelector("tbody");
    body.replaceChildren(...result.findings.map(findingRow));
    $("findings").hidden = result.findings.length === 0;
    const paragraphs = Object.values(result.summary.paragraphs);
    $("summary-text").replaceChildren(...paragraphs.map((p) => element("p", {}, p)));
  }

  function findingRow(f) {
    const sev = f.severity === "错误" ? "error" : "warning";
    const row = element("tr", { "data-key": f.key, class: "sev-" + sev });
    for (const c of state.columns) {
      const cell = element("td", { "data-col": c.key });
      if (c.key === "explanation" && f.explainable) {
        const area = element("textarea", { rows: "2", "data-key": f.key });
        area.value = f.key in state.explanations ? state.explanations[f.key] : f.explanation;
        area.addEventListener("change", done(() => {
          state.explanations[f.key] = area.value;
          recheck();
        }));
        cell.appendChild(area);
      } else {
        cell.textContent = f[c.key] === undefined ? "" : String(f[c.key]);
      }
      row.appendChild(cell);
    }
    return row;
  }

  function recheck() {
    const result = gk.call("check", args({ previous: state.previous }));
    if (show(result)) renderCheck(result);
    return result;
  }

  async function open(file) {
    say("");
    const bytes = new Uint8Array(await file.arrayBuffer());
    state.source = gk.receive(file.name, bytes);
    state.explanations = {};
    $("result").hidden = true;
    recheck();
  }

  async function openPrevious(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    state.previous = gk.receive(file.name, bytes);
    $("previous-name").textContent = file.name;
    $("previous-clear").hidden = false;
    if (state.source) recheck();
  }

  function clearPrevious() {
    state.previous = null;
    $("previous").value = "";
    $("previous-name").textContent = "";
    $("previous-clear").hidden = true;
    if (state.source) recheck();
  }

  // Every action ends by counting itself in <body data-done>, so that a test (or a person) knows it has finished.
  function finished() {
    document.body.dataset.done = String(Number(document.body.dataset.done || 0) + 1);
  }

  function act(command, extra) {
    say("");
    const result = gk.call(command, args(extra));
    if (!show(result)) return;
    say(result.message);
    for (const file of result.files) download(file);
    if (result.source) {
      state.source = result.source;
      if (show(result.check)) renderCheck(result.check);
    }
  }

  function done(fn) {
    return async (...rest) => {
      try {
        await fn(...rest);
      } catch (e) {  // a failure of this script itself, not of a command (those come back as results)
        console.error(e);
        show({ ok: false, kind: "defect", message: "页面脚本出错，操作没有完成：" + e, details: String(e.stack || e) });
      } finally {
        finished();
      }
    };
  }

  function wire() {
    $("file").addEventListener("change", done((e) => e.target.files[0] && open(e.target.files[0])));
    $("previous").addEventListener("change", done((e) => e.target.files[0] && openPrevious(e.target.files[0])));
    $("previous-clear").addEventListener("click", done(clearPrevious));
    const drop = $("drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", done((e) => {
      e.preventDefault();
      drop.classList.remove("over");
      if (e.dataTransfer.files[0]) return open(e.dataTransfer.files[0]);
    }));
    $("do-check").addEventListener("click", done(() => recheck()));
    $("do-fill").addEventListener("click", done(() => act("fill")));
    $("do-export").addEventListener("click", done(() => act("export", { draft: $("draft").checked })));
    $("do-report").addEventListener("click", done(() => act("report")));
    $("do-json").addEventListener("click", done(() => {
      const blob = new Blob([state.result.json], { type: "application/json" });
      const name = state.result.json_name;
      const link = element("a", { href: URL.createObjectURL(blob), download: name }, name);
      const item = element("li");
      item.appendChild(link);
      $("downloads").appendChild(item);
      $("downloads-box").hidden = false;
      link.click();
    }));
  }

  function fatal(text) {
    $("loading").hidden = true;
    $("fatal").textContent = text;
    $("fatal").hidden = false;
    $("selftest").textContent = "未通过：" + text;
  }

  async function main() {
    let data;
    try {
      data = await gk.load(progress);
    } catch (e) {
      console.error(e);
      fatal(e instanceof gk.BrokenCopy
        ? "本文件不完整或已损坏（" + e.message + "），请重新复制一份完整的网页版文件再打开。"
        : "运行环境未能启动（" + e + "）。请换用新版的 Chrome、Edge 或 Firefox 打开本文件。");
      document.body.dataset.state = "failed";
      return;
    }
    const info = gk.call("start", { today: state.today });
    $("loading").hidden = true;
    $("app").hidden = false;
    if (!show(info)) {
      document.body.dataset.state = "failed";
      return;
    }
    state.columns = info.columns;
    $("word-note").textContent = info.word_note;
    $("about").textContent = "xl_gongkai " + info.version + " · " + info.form + " · Pyodide " +
      gk.manifest.pyodide + (info.today ? " · 校验日期按 " + info.today : "");
    renderHead();
    wire();
    const selftest = () => {
      if (location.hash !== "#selftest") return;
      const m = gk.manifest.selftest;
      const result = gk.call("selftest", { example: data[m.example], workbook: data[m.workbook],
                                           expected: data[m.expected] });
      $("selftest").textContent = result.ok ? result.text : "未通过：" + result.message;
      if (result.ok && result.detail) $("selftest").title = result.detail;
    };
    selftest();
    window.addEventListener("hashchange", selftest); // "#selftest" typed after the page has opened
    performance.mark("xg-ready"); // make bench reads it: the cold start, from navigation to a usable page
    document.body.dataset.state = "ready";
  }

  main();
})();
