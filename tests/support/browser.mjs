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
import path from "node:path";

const [, , webDir] = process.argv;
const require = createRequire(path.join(webDir, "package.json"));
const puppeteer = require("puppeteer-core");

const HANG_GUARD = 10 * 60 * 1000; // only against a hung browser: far beyond any real step
let browser = null;
let context = null;
const pages = new Map();

const CHROMIUM_FLAGS = ["--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-quic"];

async function launch({ browser: kind, executable, profile, downloads }) {
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
    const p = await page(name);
    await p.click(selector);
    await p.keyboard.type(text);
    await p.keyboard.press("Tab"); // leaving the field is what makes the page take the text
    return {};
  },
  async click({ page: name = "main", selector }) {
    await (await page(name)).click(selector);
    return {};
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
