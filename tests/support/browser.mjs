// Drives one real browser for the web page's tests (tests/support/browser.py), with puppeteer-core from
// web/node_modules: Chromium over the DevTools protocol, Firefox ESR over WebDriver BiDi, both the system's
// own browsers (nothing is downloaded). One JSON request per line on stdin, one JSON answer per line on
// stdout; the browser's console goes to stderr.
//
// Firefox: puppeteer's default profile relaxes security.fileuri.strict_origin_policy (local files may read
// their neighbours), which would let a broken page pass here and fail for clerks; the profile written here
// keeps the browser's default (true), and the tests read it back from the profile.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import path from "node:path";

const [, , webDir] = process.argv;
const require = createRequire(path.join(webDir, "package.json"));
const puppeteer = require("puppeteer-core");

const HANG_GUARD = 10 * 60 * 1000; // only against a hung browser: far beyond any real step
let axeText = null;
const axeSource = () => (axeText ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf-8"));
let browser = null;
let browserKind = null;
let context = null;
const pages = new Map();

const CHROMIUM_FLAGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic"];

async function launch({ browser: kind, executable, profile, downloads }) {
  browserKind = kind;
  if (kind === "firefox") {
    browser = await puppeteer.launch({
      browser: "firefox", executablePath: executable, headless: true, userDataDir: profile,
      protocolTimeout: HANG_GUARD,
      extraPrefsFirefox: { "security.fileuri.strict_origin_policy": true },
    });
  } else {
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    browser = await puppeteer.launch({
      browser: "chrome", executablePath: executable, headless: true, userDataDir: profile,
      protocolTimeout: HANG_GUARD, args: [...CHROMIUM_FLAGS, ...(root ? ["--no-sandbox"] : [])],
    });
  }
  context = await browser.createBrowserContext({ downloadBehavior: { policy: "allow", downloadPath: downloads } });
  return { version: await browser.version() };
}

// A page about to get keys: its window in front, with the focus. A download takes the focus away from the
// page in headless Firefox, and neither bringing the page to the front nor clicking it gives it back; a
// tab opened and closed again does (as a clerk's focus comes back to the page after the downloads panel).
async function front(name) {
  const p = await page(name);
  await p.bringToFront();
  if (!(await p.evaluate(() => document.hasFocus()))) {
    await (await context.newPage()).close();
    await p.bringToFront();
  }
  return p;
}

async function page(name) {
  if (!pages.has(name)) {
    const p = await context.newPage();
    p.setDefaultTimeout(HANG_GUARD);
    p.on("console", (m) => process.stderr.write(`[${name} console] ${m.text()}\n`));
    p.on("pageerror", (e) => process.stderr.write(`[${name} error] ${e}\n`));
    pages.set(name, p);
  }
  return pages.get(name);
}

const OPS = {
  launch,
  async open({ page: name = "main", url, preload, until }) {
    const p = await page(name);
    if (preload) await p.evaluateOnNewDocument(preload);
    await p.goto(url, { waitUntil: "load", timeout: HANG_GUARD });
    if (until) await p.waitForFunction(until, { timeout: HANG_GUARD, polling: 100 });
    return { url: p.url() };
  },
  async eval({ page: name = "main", expr }) {
    return { value: await (await page(name)).evaluate(expr) };
  },
  async wait({ page: name = "main", expr }) {
    await (await page(name)).waitForFunction(expr, { timeout: HANG_GUARD, polling: 50 });
    return {};
  },
  async upload({ page: name = "main", selector, file }) {
    const input = await (await page(name)).$(selector);
    await input.uploadFile(file);
    return {};
  },
  async type({ page: name = "main", selector, text }) {
    const p = await front(name);
    await p.$eval(selector, (el) => { el.value = ""; }); // typed over what was there
    await p.click(selector);
    await p.keyboard.type(text);
    await p.keyboard.press("Tab"); // leaving the field is what makes the page take the text
    return {};
  },
  async click({ page: name = "main", selector }) {
    await (await front(name)).click(selector);
    return {};
  },
  // A real file dropped on an element, as from a file manager (Chromium: the page gets a file handle).
  async drop({ page: name = "main", selector, file }) {
    const p = await page(name);
    const box = await (await p.$(selector)).boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const client = await p.createCDPSession();
    const data = { items: [], files: [file], dragOperationsMask: 1 };
    for (const type of ["dragEnter", "dragOver", "drop"]) await client.send("Input.dispatchDragEvent", { type, x, y, data });
    await client.detach();
    return {};
  },
  async press({ page: name = "main", key }) {
    await (await front(name)).keyboard.press(key);
    return {};
  },
  // Move the keyboard focus to the element matching ``selector`` with Tab (or Shift+Tab, when it lies before
  // the focus), as a keyboard user does; how many presses it took, or -1. Never past the page's first or
  // last control: beyond them the focus would leave the page for the browser's own bar.
  async tabTo({ page: name = "main", selector, most = 80 }) {
    const p = await front(name);
    for (let n = 0; n <= most; n++) {
      const where = await p.evaluate((s) => {
        const target = document.querySelector(s);
        const active = document.activeElement;
        if (active === target) return "here";
        if (!active || active === document.body) return "after";
        return active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING ? "after" : "before";
      }, selector);
      if (where === "here") return { presses: n };
      if (where === "before") await p.keyboard.down("Shift");
      await p.keyboard.press("Tab");
      if (where === "before") await p.keyboard.up("Shift");
    }
    return { presses: -1 };
  },
  // Press a key and report the file chooser it opens: Firefox's (the file input's) is answered with
  // ``file``; Chromium's File System Access picker is seen through the DevTools protocol, which can only
  // cancel it.
  async chooser({ page: name = "main", key = "Enter", file }) {
    const p = await front(name);
    if (browserKind === "firefox") {
      const waiting = p.waitForFileChooser({ timeout: HANG_GUARD });
      await p.keyboard.press(key);
      const chooser = await waiting;
      if (file) await chooser.accept([file]);
      else await chooser.cancel();
      return { opened: true, accepted: Boolean(file) };
    }
    const client = await p.createCDPSession();
    await client.send("Page.enable");
    await client.send("Page.setInterceptFileChooserDialog", { enabled: true });
    const opened = new Promise((resolve) => client.once("Page.fileChooserOpened", resolve));
    await p.keyboard.press(key);
    const event = await opened;
    await client.send("Page.setInterceptFileChooserDialog", { enabled: false });
    await client.detach();
    return { opened: true, accepted: false, mode: event.mode };
  },
  // Reload the page (or open ``url`` in its place); a "leave this page?" question is answered with
  // ``leave`` and reported.
  async reload({ page: name = "main", url, until, leave = true }) {
    const p = await page(name);
    let asked = null;
    const onDialog = async (dialog) => {
      asked = dialog.type();
      if (leave) await dialog.accept();
      else await dialog.dismiss();
    };
    p.on("dialog", onDialog);
    try {
      if (url) await p.goto(url, { waitUntil: "load", timeout: HANG_GUARD });
      else await p.reload({ waitUntil: "load", timeout: HANG_GUARD });
      if (until) await p.waitForFunction(until, { timeout: HANG_GUARD, polling: 100 });
    } finally {
      p.off("dialog", onDialog);
    }
    return { asked };
  },
  // axe-core (from web/node_modules, pinned in the lock), injected into the page as it is now; the
  // violations found, each with its impact and the elements concerned.
  async axe({ page: name = "main" }) {
    const p = await page(name);
    await p.evaluate(axeSource());
    const result = await p.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map((n) => n.target.join(" ")) }));
    });
    return { violations: result, version: await p.evaluate(() => window.axe.version) };
  },
  async screenshot({ page: name = "main", file }) {
    await (await page(name)).screenshot({ path: file, fullPage: true });
    return {};
  },
  async close({ page: name }) {
    if (pages.has(name)) {
      await pages.get(name).close();
      pages.delete(name);
    }
    return {};
  },
  async quit() {
    if (browser) await browser.close();
    browser = null;
    return {};
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    const request = JSON.parse(line);
    answer = { ok: true, ...(await OPS[request.op](request)) };
  } catch (e) {
    answer = { ok: false, error: String(e && e.stack ? e.stack : e) };
  }
  await new Promise((done) => process.stdout.write(JSON.stringify(answer) + "\n", done));
  if (answer.ok && JSON.parse(line).op === "quit") break;
}
if (browser) await browser.close();
process.exit(0); // stdin may still hold the event loop open
