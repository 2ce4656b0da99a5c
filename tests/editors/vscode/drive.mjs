// Drives VS Code (code-server in headless Debian Chromium, through playwright-core) the way a
// person uses it, against the chant extension and chant-lsp. Run by tests/editors/run.sh, which
// starts code-server on 127.0.0.1 with the demo project copy as the workspace folder.
//
// Environment: VSCODE_URL (the workbench URL, loopback only), OUT_DIR (screenshots), BROWSER_PROFILE
// (a fresh Chromium user-data-dir), DRIVER_MODULES (node_modules holding playwright-core),
// STEP_TIMEOUT_MS (default 30000), CHROMIUM (default /usr/bin/chromium); for the scenarios with
// the server inside the .vsix: OUTPUT_LOGS (VS Code's logs folder, where the extension's output
// channel is written), SERVER_VERSION (Cargo.toml's) and INSTALLED_SERVER (server/chant-lsp in
// the installed extension).
//
// Prints one JSON line (steps, timings, what was read from the screen) and exits 0 when every step
// passed, 1 otherwise. Takes a screenshot after each step (NN-<step>.png) and FAIL-<step>.png when
// a step fails. To add a step, add an entry to `steps`: { name, run: async (page) => details }.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const URL_ = env.VSCODE_URL;
const OUT = env.OUT_DIR;
const STEP_TIMEOUT = Number(env.STEP_TIMEOUT_MS || 30000);
const require = createRequire(path.join(env.DRIVER_MODULES, '..', 'driver.cjs'));
const { chromium } = require('playwright-core');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
function allowed(url) {
  const u = new URL(url);
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && LOOPBACK.has(u.hostname);
}
if (!allowed(URL_)) {
  console.error(`refusing a non-loopback URL: ${URL_}`);
  process.exit(2);
}

const result = { ok: false, scenario: env.SCENARIO || 'main', url: URL_, steps: [], blocked: [], failures: [] };

// --- helpers --------------------------------------------------------------------------------

function fail(msg) {
  throw new Error(msg);
}

async function quickOpen(page, fileName) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await waitFor(page.locator('.quick-input-widget'), 'Ctrl+P opens Quick Open');
  await page.keyboard.type(fileName);
  // Wait until the file is the selected entry (the list filters as you type; before that the
  // recently opened files are listed), then open it with Enter (focus stays in the box).
  const row = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: fileName });
  await waitFor(row, `Quick Open selects ${fileName}`);
  await page.keyboard.press('Enter');
  await activeTab(page, fileName);
}

async function activeTab(page, fileName) {
  const tab = page.locator(`.tabs-container .tab.active[aria-label*="${fileName}"]`);
  await waitFor(tab, `the active editor tab is ${fileName}`);
  return tab.getAttribute('aria-label');
}

/** Runs a command from the command palette (F1) by its title, as a person types it. */
async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await waitFor(page.locator('.quick-input-widget'), 'F1 opens the command palette');
  await page.keyboard.type(title);
  await waitFor(page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: title }), `the palette selects ${title}`);
  await page.keyboard.press('Enter');
}

/** A notification toast that contains `text`. */
async function toast(page, text) {
  const t = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await waitFor(t, `a notification saying "${text}"`);
  return t;
}

async function clearToasts(page) {
  const close = page.locator('.notifications-toasts .codicon-notifications-clear');
  while ((await close.count()) > 0) {
    await close.first().click().catch(() => undefined);
    await page.waitForTimeout(100);
  }
}

/** The screen rectangle of `text` inside the visible editor line that contains it. */
async function textRect(page, text) {
  const line = page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: text }).first();
  await waitFor(line, `the editor shows a line with ${text}`);
  return line.evaluate((el, needle) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // The editor renders spaces as no-break spaces (same length, so offsets still match).
      const at = node.textContent.replace(/\u00a0/g, ' ').indexOf(needle);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + needle.length);
        const r = range.getBoundingClientRect();
        // Zero-sized while the editor is still laying out the line: not there yet.
        return r.width > 0 && r.height > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
      }
    }
    return null;
  }, text);
}

/** Waits for a locator to reach `state`, failing with a message that says what was awaited. */
async function waitFor(locator, what, state = 'visible', timeout = STEP_TIMEOUT) {
  try {
    await locator.waitFor({ state, timeout });
  } catch {
    fail(`timed out after ${timeout} ms: ${what}`);
  }
  return locator;
}

/**
 * Polls `read` until it returns a truthy value or the step timeout passes. `seen`, if given,
 * says what was there instead (for the failure message).
 */
async function poll(what, read, { timeout = STEP_TIMEOUT, every = 250, seen } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await read();
    if (last) return last;
    await new Promise((r) => setTimeout(r, every));
  }
  const instead = seen ? `; saw ${JSON.stringify(await seen())}` : '';
  fail(`timed out after ${timeout} ms: ${what}${instead}`);
}

/** Saves a screenshot in OUT_DIR under `name` now (the runner also takes one after each step). */
async function shot(page, name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The visible text of an element, whitespace collapsed. */
async function textOf(locator) {
  return ((await locator.innerText().catch(() => '')) || '').replace(/\s+/g, ' ').trim();
}

/**
 * Opens the code action menu with Ctrl+. at the caret and returns it with the titles it lists
 * once `ready(titles)` holds. Asks again (Escape, Ctrl+.) up to three times when the menu does not
 * open or lacks the entry: the server may answer before it has re-checked an edit.
 */
async function codeActionMenu(page, what, ready) {
  const widget = page.locator('.action-widget');
  let titles = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.keyboard.press('Control+.');
    const end = Date.now() + 4000;
    while (Date.now() < end) {
      if (await widget.isVisible()) {
        titles = (await widget.locator('.monaco-list-row.action').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        if (ready(titles)) return { widget, titles, attempt };
      }
      await page.waitForTimeout(100);
    }
    await page.keyboard.press('Escape');
  }
  fail(`Ctrl+. did not list ${what} (three tries); the menu listed ${JSON.stringify(titles)}`);
}

/**
 * Moves the focus in an open action menu to the row whose text starts with `title` with the arrow
 * keys and accepts it with Enter (clicking rows is flaky: the widget re-renders under the mouse).
 */
async function chooseAction(page, widget, title) {
  const rows = widget.locator('.monaco-list-row.action');
  const n = await rows.count();
  for (let i = 0; i <= n; i++) {
    const focused = await textOf(widget.locator('.monaco-list-row.action.focused'));
    if (focused.startsWith(title)) {
      await page.keyboard.press('Enter');
      await waitFor(widget, 'the code action menu closes', 'hidden', 5000);
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  fail(`could not move the focus to "${title}" in the code action menu`);
}

/** The text of the extension's "chant" output channel, as VS Code writes it to its logs folder. */
function channelText() {
  const found = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^\d+-chant\.log$/.test(e.name)) found.push(p);
    }
  };
  if (env.OUTPUT_LOGS && fs.existsSync(env.OUTPUT_LOGS)) walk(env.OUTPUT_LOGS);
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/** How many times `text` occurs in the output channel. */
function channelCount(text) {
  return channelText().split(text).length - 1;
}

/** The code lens texts on the active editor's visible lines. */
async function lensTexts(page) {
  return (await page.locator('.editor-group-container.active .monaco-editor .codelens-decoration').allInnerTexts())
    .map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Opens the Problems panel (unless it is open), filtered to `file`; returns the panel and its rows. */
async function problemsFor(page, file) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) {
    await page.keyboard.press('Control+Shift+M');
    await waitFor(panel, 'Ctrl+Shift+M opens the Problems panel');
  }
  const filter = page.locator('.panel input[placeholder^="Filter"]').first();
  if ((await filter.inputValue().catch(() => '')) !== file) {
    await filter.fill(file);
  }
  return { panel, filter, rows: panel.locator('.monaco-list-row') };
}

// --- the scenario ---------------------------------------------------------------------------

const U4X = '2026-11-05-001-u4x.md';
const P9D = '2026-11-02-002-p9d.md';
const K3V = '2026-11-02-001-k3v.md';
const DEP_ID = '2026-11-02-001-k3v';
const U4X_ID = '2026-11-05-001-u4x';
const P9D_ID = '2026-11-02-002-p9d';
const FIX = 'Change to `2026-11-05-002-zz8`';
const RUN = `Run ${U4X_ID} (chant work)`;
// A completed run's outcome: the `chant(<ID>):` commits chant wrote, abbreviated.
const COMPLETED = /the spec is now completed; commits [0-9a-f]{7,}, [0-9a-f]{7,}/;

const workbench = {
    name: 'workbench',
    run: async (page) => {
      await page.goto(URL_, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
      await waitFor(page.locator('.monaco-workbench'), 'the workbench loads');
      // Workspace trust is on, as for a person: answer the startup prompt with "don't trust", so
      // the first steps run in Restricted Mode, where the extension has limited support.
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'trust' });
      await waitFor(dialog, 'the workspace trust prompt');
      const prompt = await dialog.locator('.dialog-message-text').innerText().catch(() => '');
      await dialog.locator('.monaco-button', { hasText: /don.t trust/i }).first().click();
      await waitFor(page.locator('.statusbar-item', { hasText: 'Restricted Mode' }), 'the Restricted Mode status item');
      await waitFor(page.locator('.explorer-folders-view .monaco-list-row').first(), 'the explorer lists the folder');
      // Close the Restricted Mode banner (the status bar item stays) so it does not cover the window.
      await page.locator('.part.banner a.action-label[aria-label="Close Banner"]').click();
      return { title: await page.title(), trust_prompt: prompt };
    },
};

// Scenario `main`: CHANT_LSP_PATH names the server; the user setting chant.executable names the
// fake chant and the project is a git repository, so runs really happen (about 3 s each).
const mainScenario = [
  workbench,
  {
    name: 'open-spec',
    run: async (page) => {
      await quickOpen(page, U4X);
      return { tab: await activeTab(page, U4X) };
    },
  },
  {
    name: 'problems',
    run: async (page) => {
      await page.keyboard.press('Control+Shift+M');
      const panel = page.locator('.markers-panel');
      await waitFor(panel, 'Ctrl+Shift+M opens the Problems panel');
      // The whole project's problems are listed; narrow them to the spec as a person would.
      const filter = page.locator('.panel input[placeholder^="Filter"]').first();
      await filter.click();
      await filter.fill(U4X);
      const rows = panel.locator('.monaco-list-row');
      const row = await poll('the Problems list filtered to one row with unknown-dependency', async () => {
        // The filter box is sometimes re-rendered while the panel opens, losing the text: type again.
        if ((await filter.inputValue().catch(() => '')) !== U4X) {
          await filter.fill(U4X).catch(() => undefined);
          return null;
        }
        const match = rows.filter({ hasText: 'unknown-dependency' });
        // Two rows: the file and its one problem (the filter applies after a short delay).
        return (await rows.count()) === 2 && (await match.count()) === 1 ? match.first() : null;
      });
      await page.mouse.move(900, 780); // off the filter box (tooltip) and the rows (highlight)
      const text = (await row.innerText()).replace(/\s+/g, ' ').trim();
      if (!text.includes('Ln 4, Col 14')) fail(`the row is not at Ln 4, Col 14: ${text}`);
      if (!text.includes('unknown dependency `2026-11-05-002-zz9`')) fail(`unexpected message: ${text}`);
      return { row: text, label: await row.getAttribute('aria-label') };
    },
  },
  {
    name: 'hover',
    run: async (page) => {
      await quickOpen(page, P9D);
      await page.keyboard.press('Escape');
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'Add a token-bucket rate limiter' });
      // Mouse over the ID (the hover delay is 200 ms in the test settings); move away and back if
      // it did not open.
      let seen = '';
      const text = await poll('a hover with the dependency title', async () => {
        const r = await textRect(page, DEP_ID);
        if (!r) return null;
        const x = r.x + r.width / 2;
        const y = r.y + r.height / 2;
        await page.mouse.move(x - 20, y + 40);
        await page.mouse.move(x, y, { steps: 5 });
        try {
          await hover.first().waitFor({ state: 'visible', timeout: 3000 });
        } catch {
          const under = await page.evaluate(([px, py]) => {
            const el = document.elementFromPoint(px, py);
            return el ? `${el.tagName}.${el.className}: ${el.textContent.slice(0, 60)}` : 'nothing';
          }, [x, y]);
          const other = await page.locator('.monaco-hover:not(.hidden)').allInnerTexts();
          seen = `mouse at ${Math.round(x)},${Math.round(y)} over ${under}; hovers shown: ${JSON.stringify(other)}`;
          await page.mouse.move(5, 5);
          return null;
        }
        return hover.first().innerText();
      }).catch((e) => fail(`${e.message} (${seen})`));
      if (!text.includes('completed')) fail(`the hover does not say completed: ${text}`);
      return { hover: text, retried: seen || undefined };
    },
  },
  {
    name: 'definition',
    run: async (page) => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      const r = await poll(`the editor shows ${DEP_ID}`, () => textRect(page, DEP_ID));
      await page.mouse.click(r.x + 4, r.y + r.height / 2); // caret on the ID
      await page.keyboard.press('F12');
      const tab = await activeTab(page, K3V);
      const title = await page.locator('.monaco-workbench .part.titlebar, title').first().textContent().catch(() => '');
      const position = await poll('the cursor position in the status bar', async () => {
        const t = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText().catch(() => '');
        return /Ln 11, Col \d+/.test(t) ? t : null;
      });
      return { tab, position, title: (await page.title()) || title };
    },
  },
  {
    name: 'run-restricted',
    run: async (page) => {
      // In Restricted Mode "chant: Run This Spec" must not run and must say why.
      await quickOpen(page, P9D);
      await runCommand(page, 'chant: Run This Spec');
      const t = await toast(page, 'trust this workspace to run specs');
      const text = (await t.innerText()).replace(/\s+/g, ' ').trim();
      return { toast: text };
    },
  },
  {
    name: 'trust',
    run: async (page) => {
      // The toast's button opens the Workspace Trust editor; trust the folder there.
      const t = await toast(page, 'trust this workspace to run specs');
      await t.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).click();
      const editor = page.locator('.workspace-trust-editor');
      await waitFor(editor, 'the Workspace Trust editor opens');
      await editor.locator('.monaco-button', { hasText: /^Trust/ }).first().click();
      await waitFor(page.locator('.statusbar-item', { hasText: 'Restricted Mode' }), 'Restricted Mode ends', 'detached');
      await clearToasts(page);
      return { restricted_mode: false };
    },
  },
  {
    name: 'run-trusted',
    run: async (page) => {
      // Trusted: the command reaches the server (workspace/executeCommand chant.run) and the fake
      // chant runs p9d; the outcome comes as a notification (window/showMessageRequest).
      await quickOpen(page, P9D);
      await runCommand(page, 'chant: Run This Spec');
      const t = await toast(page, `chant work ${P9D_ID}: exit 0`);
      const text = await textOf(t);
      if (!text.includes('the spec is now completed')) fail(`unexpected outcome: ${text}`);
      return { toast: text };
    },
  },
  {
    name: 'quick-fix',
    run: async (page) => {
      await clearToasts(page);
      await quickOpen(page, U4X);
      await page.keyboard.press('Escape');
      // Caret on the unknown dependency, mouse out of the way (its hover would cover the menu).
      const r = await poll('the editor shows 2026-11-05-002-zz9', () => textRect(page, '2026-11-05-002-zz9'));
      await page.mouse.click(r.x + 4, r.y + r.height / 2);
      await page.mouse.move(700, 5);
      const { widget, titles, attempt } = await codeActionMenu(page, FIX, (list) => list.some((t) => t.startsWith(FIX)));
      const menu = await shot(page, 'quick-fix-menu');
      await chooseAction(page, widget, FIX);
      const dependsOn = async () => {
        const l = page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'depends_on:' }).first();
        return (await l.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
      };
      const line = await poll('line 4 reads depends_on: [2026-11-05-002-zz8]', async () => {
        const text = await dependsOn();
        // The dependency's inlay hint (its title) may sit between the ID and the bracket.
        return /depends_on: \[2026-11-05-002-zz8\b[^\]]*\]/.test(text) && !text.includes('zz9') ? text : null;
      }, { seen: dependsOn });
      const fixed = Date.now();
      // The Problems panel, filtered to the spec, no longer lists unknown-dependency (and the
      // filter has applied: no other spec's rows).
      const { rows, filter } = await problemsFor(page, U4X);
      const left = await poll('the Problems panel filtered to u4x drops unknown-dependency', async () => {
        if ((await filter.inputValue().catch(() => '')) !== U4X) {
          await filter.fill(U4X).catch(() => undefined);
          return null;
        }
        const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
        if (texts.some((t) => t.includes('unknown-dependency'))) return null;
        if (texts.some((t) => /\.md\b/.test(t) && t.includes('.chant/specs') && !t.includes(U4X))) return null;
        return { rows: texts, message: await textOf(page.locator('.markers-panel .message-box-container, .markers-panel-container .message-box-container').first()) };
      }, { timeout: 5000, every: 100 });
      // Save (the server refuses to run a spec with unsaved changes).
      await page.mouse.click(r.x + 4, r.y + r.height / 2);
      await page.keyboard.press('Control+S');
      await waitFor(page.locator('.tabs-container .tab.active.dirty'), 'the editor is saved', 'detached', 5000);
      await page.mouse.move(700, 5);
      // The lens on the title follows: "▶ Run" without "not now".
      const lens = await poll('the lens says ▶ Run (not "not now")', async () => {
        const l = await lensTexts(page);
        return l.some((t) => t.startsWith('▶ Run') && !t.includes('not now')) ? l : null;
      }, { timeout: 10000, every: 100, seen: () => lensTexts(page) });
      return { menu: titles, menu_attempts: attempt, menu_screenshot: menu, line, problems: left, lens, lens_ms_after_fix: Date.now() - fixed };
    },
  },
  {
    name: 'run-code-action',
    run: async (page) => {
      // Ctrl+. anywhere in the spec (here on the title) lists the run, without a kind.
      const r = await poll('the editor shows the title', () => textRect(page, 'Add request IDs to API logs'));
      await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
      await page.mouse.move(700, 5);
      // VS Code 1.99 lists kind-less actions under "More Actions..." (disabled ones are hidden).
      const { widget, titles, attempt } = await codeActionMenu(page, RUN, (list) => list.some((t) => t.startsWith(RUN)));
      const menu = await shot(page, 'run-menu');
      await chooseAction(page, widget, RUN);
      const item = page.locator('.statusbar-item', { hasText: 'chant: 1 run' });
      await waitFor(item, 'the status bar item "chant: 1 run"', 'visible', 10000);
      const running = await shot(page, 'run-status-bar');
      const status = await item.getAttribute('aria-label');
      const lensRunning = await poll('the lens says Running… ■ Stop', async () => {
        const l = await lensTexts(page);
        return l.some((t) => t.includes('Running… ■ Stop')) ? l : null;
      }, { timeout: 10000, every: 100, seen: () => lensTexts(page) });
      return { menu: titles, menu_attempts: attempt, status_item: status, lens_running: lensRunning, screenshots: [menu, running] };
    },
  },
  {
    name: 'run-outcome',
    run: async (page) => {
      const t = await toast(page, `chant work ${U4X_ID}: exit 0`);
      const shown = Date.now();
      const text = await textOf(t);
      // The fake chant commits as chant does: its status commit and the agent's, abbreviated.
      if (!COMPLETED.test(text)) fail(`unexpected outcome: ${text}`);
      await waitFor(t.locator('.monaco-button', { hasText: 'Show log' }), 'a "Show log" button on the outcome');
      await waitFor(page.locator('.statusbar-item', { hasText: 'chant: 1 run' }), 'the run status item goes away', 'hidden', 5000);
      const lens = await poll('the lens says ✓ Last run: exit 0', async () => {
        const l = await lensTexts(page);
        // One decoration holds the title's lenses, " | " apart: the last outcome (no run lens:
        // the spec is completed), then status and dependents.
        return l.some((x) => x.includes('✓ Last run: exit 0 after') && COMPLETED.test(x) && !x.includes('▶'))
          ? l
          : null;
      }, { timeout: 10000, every: 100, seen: () => lensTexts(page) });
      return { toast: text, lens, lens_ms_after_toast: Date.now() - shown };
    },
  },
  {
    name: 'git-lens',
    run: async (page) => {
      // The spec's git state from the server's background read of the repository: the fake chant
      // ran on branch chant/<ID> and committed there; the lens names the newest commit (the
      // agent's `chant(<ID>): …`, or chant's transcript commit after it).
      const want = new RegExp(`⎇ chant/${U4X_ID} .*\\d+ commits? · [0-9a-f]{7} 'chant[(:]`);
      const lens = await poll('the lens names the branch and the agent commit', async () => {
        const l = await lensTexts(page);
        return l.some((x) => want.test(x)) ? l : null;
      }, { timeout: 20000, every: 200, seen: () => lensTexts(page) });
      return { lens, screenshot: await shot(page, 'git-lens') };
    },
  },
  {
    name: 'show-changes',
    run: async (page) => {
      // "Show the changes of <ID>'s commits" opens VS Code's multi-file diff view (the extension
      // asks the server for each file before and after), not the unified diff document.
      const SHOW = `Show the changes of ${U4X_ID}'s commits`;
      const r = await poll('the editor shows the title', () => textRect(page, 'Add request IDs to API logs'));
      await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
      await page.mouse.move(700, 5);
      const { widget, titles } = await codeActionMenu(page, SHOW, (list) => list.some((t) => t.startsWith(SHOW)));
      await chooseAction(page, widget, SHOW);
      const tab = page.locator('.tabs-container .tab.active', { hasText: `${U4X_ID}: changes of its` });
      await waitFor(tab, 'the diff view tab opens', 'visible', 15000);
      // The spec file first: before its status commit (pending, the unfixed dependency) and after
      // chant's last commit (completed, with its commits).
      const view = page.locator('.editor-group-container.active .editor-instance').first();
      const text = await poll('the diff view shows the spec before and after', async () => {
        const t = await textOf(view);
        return t.includes('status: pending') && t.includes('status: completed') && t.includes('commits:') ? t : null;
      }, { timeout: 15000, every: 200, seen: async () => (await textOf(view)).slice(0, 400) });
      const screenshot = await shot(page, 'show-changes');
      await page.keyboard.press('Control+W');
      return { menu: titles, tab: await textOf(tab).catch(() => ''), screenshot, text: text.slice(0, 200) };
    },
  },
  {
    name: 'source-file',
    run: async (page) => {
      // Any project file gets the specs that change it as lenses on its first line.
      await quickOpen(page, 'limiter.rs');
      const lens = await poll('a lens on src/limiter.rs names the spec that changes it', async () => {
        const l = await lensTexts(page);
        return l.some((x) => x.includes('changed by 001-k3v · Add a token-bucket rate limiter · completed')) ? l : null;
      }, { timeout: 20000, every: 200, seen: () => lensTexts(page) });
      return { lens, screenshot: await shot(page, 'source-file') };
    },
  },
];

// Scenario `specs-view`: the Chant view (its own activity bar container) fed by chant-lsp/specs:
// sections with counts, the ready queue in chain order, the status bar counts; the inline Run
// button runs a spec (the fake chant) that moves to Running, then to Completed.

/** The rows of the Chant view in the Chant container, as their visible texts. */
async function viewRows(page) {
  const rows = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Specs' }) }).locator('.monaco-list-row');
  // A row is its label and its description (the count of a section, the short ID and reason of a spec).
  return rows.evaluateAll((els) =>
    els.map((el) => {
      const part = (sel) => (el.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
      return [part('.label-name'), part('.label-description')].filter(Boolean).join(' ');
    }),
  );
}

function viewRow(page, text) {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Specs' }) }).locator('.monaco-list-row', { hasText: text }).first();
}

async function specsStatus(page, want) {
  const item = page.locator('.statusbar-item', { hasText: want });
  await waitFor(item, `the status bar item "${want}"`, 'visible', 15000);
  return textOf(item);
}

const specsView = [
  {
    name: 'workbench-trusted',
    run: async (page) => {
      await page.goto(URL_, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
      await waitFor(page.locator('.monaco-workbench'), 'the workbench loads');
      const dialog = page.locator('.monaco-dialog-box', { hasText: 'trust' });
      await waitFor(dialog, 'the workspace trust prompt');
      await dialog.locator('.monaco-button', { hasText: /^Yes/ }).first().click();
      await waitFor(page.locator('.explorer-folders-view .monaco-list-row').first(), 'the explorer lists the folder');
      return { title: await page.title() };
    },
  },
  {
    name: 'open-view',
    run: async (page) => {
      await page.locator('.activitybar .action-item .action-label[aria-label^="Chant"]').first().click();
      // Widen the side bar (drag its edge) so that the rows' reasons can be read.
      const box = await page.locator('.part.sidebar').boundingBox();
      if (box) {
        await page.mouse.move(box.x + box.width - 1, box.y + 300);
        await page.mouse.down();
        await page.mouse.move(box.x + 620, box.y + 300, { steps: 10 });
        await page.mouse.up();
      }
      // Sections with counts (empty ones hidden), the ready queue in chain order, Completed collapsed.
      const want = [
        'Ready 4',
        'Wire the rate limiter into the API 002-p9d',
        'Research sensible default rate limits 001-r7q',
        'Deprecate the v1 routes 001-d1r.2',
        'install the load-test tool first 001-t5f',
        'Blocked 5',
      ];
      const rows = await poll('the Chant view lists the Ready section in queue order', async () => {
        const r = await viewRows(page);
        return want.every((w, i) => (r[i] ?? '').startsWith(w)) ? r : null;
      }, { timeout: 20000, seen: () => viewRows(page) });
      for (const section of ['Needs attention 1', 'In progress without a live run 1', 'Completed 3']) {
        if (!rows.some((r) => r === section)) fail(`no section row "${section}": ${JSON.stringify(rows)}`);
      }
      if (rows.some((r) => r.startsWith('Running') || r.startsWith('Cancelled'))) fail(`empty sections shown: ${JSON.stringify(rows)}`);
      if (rows.some((r) => r.includes('Add a token-bucket rate limiter'))) fail(`Completed is not collapsed: ${JSON.stringify(rows)}`);
      const blocked = rows.find((r) => r.startsWith('Add the accounts endpoint'));
      if (!blocked || !blocked.includes('blocked by 2026-11-07-002-c2b (pending)')) fail(`the blocked row says why: ${blocked}`);
      const status = await specsStatus(page, 'chant: 4 ready · 0 running · 5 blocked');
      await page.mouse.move(700, 5);
      const view = await shot(page, 'specs-view');
      return { rows, status, screenshot: view };
    },
  },
  {
    name: 'run-from-view',
    run: async (page) => {
      const row = viewRow(page, 'Wire the rate limiter into the API');
      await row.hover();
      const run = row.locator('.actions .action-label[aria-label="Run"]');
      await waitFor(run, 'the inline Run button on the p9d row');
      // A blocked spec has no Run button (the server says it is not enabled).
      const blocked = viewRow(page, 'Add the accounts endpoint');
      await blocked.hover();
      const blockedButtons = await blocked.locator('.actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      if (blockedButtons.includes('Run')) fail(`a blocked spec offers Run: ${JSON.stringify(blockedButtons)}`);
      await row.hover();
      await waitFor(run, 'the inline Run button shows again on hover');
      const button = await shot(page, 'specs-view-run-button');
      await run.click();
      const rows = await poll('p9d moves to Running', async () => {
        const r = await viewRows(page);
        const at = r.indexOf('Running 1');
        return at >= 0 && (r[at + 1] ?? '').startsWith('Wire the rate limiter into the API') ? r : null;
      }, { timeout: 15000, every: 100, seen: () => viewRows(page) });
      const status = await specsStatus(page, 'chant: 3 ready · 1 running · 5 blocked');
      await page.mouse.move(700, 5);
      const running = await shot(page, 'specs-view-running');
      return { rows, status, blocked_buttons: blockedButtons, screenshots: [button, running] };
    },
  },
  {
    name: 'completed',
    run: async (page) => {
      await toast(page, `chant work ${P9D_ID}: exit 0`);
      const status = await specsStatus(page, 'chant: 3 ready · 0 running · 5 blocked');
      await waitFor(viewRow(page, /^\s*Completed\s*4\s*$/), 'the Completed section counts 4', 'visible', 15000);
      await viewRow(page, /^\s*Completed\s*4\s*$/).click();
      const rows = await poll('p9d is under Completed', async () => {
        const r = await viewRows(page);
        const at = r.indexOf('Completed 4');
        return at >= 0 && r.slice(at + 1).some((x) => x.startsWith('Wire the rate limiter into the API')) && !r.includes('Running 1') ? r : null;
      }, { timeout: 15000, every: 100, seen: () => viewRows(page) });
      await clearToasts(page);
      await page.mouse.move(700, 5);
      return { rows, status, screenshot: await shot(page, 'specs-view-completed') };
    },
  },
  {
    // The status bar item focuses the view: from the Explorer (where the Chant view sits
    // collapsed under the folder), a click on it shows the Explorer's Chant view with its rows.
    name: 'status-bar-click',
    run: async (page) => {
      await page.locator('.activitybar .action-item .action-label[aria-label^="Explorer"]').first().click();
      await waitFor(page.locator('.explorer-folders-view'), 'the Explorer shows');
      const pane = page.locator('.pane', { has: page.locator('.pane-header h3.title', { hasText: /^Chant$/ }) });
      const rows = () =>
        pane.locator('.monaco-list-row').evaluateAll((els) => els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));
      // Collapse it first if it shows, so that only the click can open it.
      await waitFor(pane.locator('.pane-header'), 'the Explorer has a Chant view');
      if ((await pane.locator('.pane-header').getAttribute('aria-expanded')) === 'true') {
        await pane.locator('.pane-header').click();
      }
      const before = await poll('the Explorer\'s Chant view is collapsed', async () => {
        const r = await rows().catch(() => []);
        return r.length === 0 ? ['(collapsed)'] : null;
      }, { timeout: 5000, every: 100, seen: rows });
      await page.locator('.statusbar-item', { hasText: 'chant: 3 ready' }).first().click();
      const after = await poll('the Explorer\'s Chant view opens with its sections', async () => {
        const r = await rows().catch(() => []);
        return r.some((x) => x.startsWith('Ready') && x.endsWith('3')) && r.some((x) => x.startsWith('Blocked')) ? r : null;
      }, { timeout: 15000, every: 100, seen: rows });
      await page.mouse.move(700, 5);
      return { before, after, screenshot: await shot(page, 'specs-view-status-click') };
    },
  },
];

// Scenario `multi-root`: a .code-workspace holding the demo and a second project. The Chant view
// has a node per project (name, ready count; by root path) with its own sections under it; the status
// bar adds both up; a row of the second project opens its spec.
const multiRoot = [
  specsView[0],
  {
    name: 'a-node-per-project',
    run: async (page) => {
      await page.locator('.activitybar .action-item .action-label[aria-label^="Chant"]').first().click();
      const rows = await poll('the Chant view has a node per project, each with its own sections', async () => {
        const r = await viewRows(page);
        const demo = r.indexOf('demo 4 ready');
        const second = r.indexOf('second 1 ready');
        // Projects by root path: demo, then second.
        if (demo < 0 || second < demo) return null;
        const demoRows = r.slice(demo + 1, second);
        const secondRows = r.slice(second + 1);
        const ok =
          demoRows.some((x) => x.startsWith('Wire the rate limiter into the API')) &&
          !demoRows.some((x) => x.startsWith('Publish the client library')) &&
          secondRows.some((x) => x.startsWith('Publish the client library 001-s2a')) &&
          secondRows.includes('Completed 1') &&
          !secondRows.some((x) => x.startsWith('Wire the rate limiter'));
        return ok ? r : null;
      }, { timeout: 20000, seen: () => viewRows(page) });
      const status = await specsStatus(page, 'chant: 5 ready · 0 running · 5 blocked');
      await viewRow(page, 'Publish the client library').click();
      const tab = await activeTab(page, '2026-12-01-001-s2a.md');
      await page.mouse.move(700, 5);
      return { rows, status, tab, screenshot: await shot(page, 'specs-view-multi-root') };
    },
  },
];

// Scenario `missing-server`: no CHANT_LSP_PATH and no chant-lsp on PATH.
const missingServer = [
  workbench,
  {
    name: 'missing-server',
    run: async (page) => {
      const t = await toast(page, 'chant-lsp was not found');
      const text = (await t.innerText()).replace(/\s+/g, ' ').trim();
      for (const want of ['cargo install', 'chant.server.path', 'Open Settings']) {
        if (!text.includes(want)) fail(`the error does not mention ${want}: ${text}`);
      }
      return { toast: text };
    },
  },
];

// The main scenario's steps by name, for the scenarios that repeat some of them.
const mainStep = (name) => mainScenario.find((s) => s.name === name);

// Scenario `bundled`: the linux-x64 .vsix, and no CHANT_LSP_PATH, no chant.server.path and no
// chant-lsp on PATH: the server inside the extension reports the demo's diagnostics.
const VERSION_LINE = `chant-lsp ${env.SERVER_VERSION} at ${env.INSTALLED_SERVER}`;
const bundled = [
  workbench,
  mainStep('open-spec'),
  mainStep('problems'),
  {
    name: 'version-in-output-channel',
    run: async () => {
      const text = await poll(`the chant output channel says "${VERSION_LINE}"`, () => {
        const t = channelText();
        return t.includes(VERSION_LINE) ? t : null;
      }, { seen: () => channelText().split('\n').slice(0, 5) });
      const from = `starting ${env.INSTALLED_SERVER} (from the binary inside the extension)`;
      if (!text.includes(from)) fail(`the output channel does not say "${from}"`);
      if (text.includes('is older than')) fail('the output channel warns about the version');
      return { lines: text.split('\n').filter((l) => l.includes(env.INSTALLED_SERVER)) };
    },
  },
];

// Scenario `old-server`: the same with a .vsix whose package.json asks for server 99.0.0 and an
// installed server without its executable bit: the extension restores the bit, starts the
// server, warns once, and not again after a restart.
const OLDER = `chant-lsp ${env.SERVER_VERSION} is older than 99.0.0`;
const oldServer = [
  workbench,
  {
    name: 'older-server-warning',
    run: async (page) => {
      const t = await toast(page, OLDER);
      const text = await textOf(t);
      const made = `made ${env.INSTALLED_SERVER} executable`;
      await poll(`the output channel says "${made}"`, () => channelText().includes(made));
      return { toast: text };
    },
  },
  mainStep('open-spec'),
  mainStep('problems'),
  {
    name: 'restart-warns-no-more',
    run: async (page) => {
      await clearToasts(page);
      await runCommand(page, 'chant: Restart Language Server');
      // The restarted server has answered initialize once its version line is written again.
      await poll('a second version line after the restart', () => channelCount(VERSION_LINE) >= 2, {
        seen: () => channelCount(VERSION_LINE),
      });
      const warnings = channelCount(OLDER);
      if (warnings !== 1) fail(`the output channel has ${warnings} warnings about the version, not 1`);
      const toasts = await page.locator('.notifications-toasts .notification-toast', { hasText: OLDER }).count();
      if (toasts !== 0) fail(`the warning was shown again after the restart (${toasts} toasts)`);
      return { version_lines: channelCount(VERSION_LINE), warnings };
    },
  },
];

// Scenario `graph`: "chant: Show Dependency Graph" on a spec of the demo's cycle; the SVG is read
// in the webview (its frame), then a node is clicked and its spec opens.
const C1A_ID = '2026-11-07-001-c1a';
const K3V_ID = '2026-11-02-001-k3v';

/** The webview frame that holds the graph's SVG. */
async function graphFrame(page) {
  return poll('a webview showing the dependency graph', async () => {
    for (const frame of page.frames()) {
      const found = await frame.evaluate(() => !!document.querySelector('svg.chant-graph')).catch(() => false);
      if (found) return frame;
    }
    return null;
  });
}

const graphScenario = [
  workbench,
  {
    name: 'open-cycle-spec',
    run: async (page) => {
      await quickOpen(page, `${C1A_ID}.md`);
      return { tab: await activeTab(page, `${C1A_ID}.md`) };
    },
  },
  {
    name: 'show-graph',
    run: async (page) => {
      await runCommand(page, 'chant: Show Dependency Graph');
      const frame = await graphFrame(page);
      const read = () =>
        frame.evaluate(() => ({
          nodes: [...document.querySelectorAll('svg.chant-graph g.node')].map((g) => g.getAttribute('data-id')),
          cycle: [...document.querySelectorAll('svg.chant-graph g.edge.cycle')].map((g) => ({
            from: g.getAttribute('data-from'),
            to: g.getAttribute('data-to'),
            stroke: getComputedStyle(g.querySelector('path')).stroke,
          })),
          current: document.querySelector('g.node.current')?.getAttribute('data-id') ?? null,
          message: document.getElementById('message')?.textContent ?? '',
        }));
      const seen = await poll('the graph highlights the open spec', async () => {
        const r = await read();
        return r.current ? r : null;
      }, { seen: read });
      if (seen.nodes.length !== 16) fail(`expected the demo's 16 nodes, saw ${seen.nodes.length}: ${seen.nodes}`);
      if (seen.current !== C1A_ID) fail(`the highlighted node is ${seen.current}, not ${C1A_ID}`);
      // The demo's cycle c1a -> c3c -> c2b -> c1a, every edge drawn red.
      if (seen.cycle.length !== 3) fail(`expected 3 cycle edges, saw ${JSON.stringify(seen.cycle)}`);
      for (const e of seen.cycle) {
        if (e.stroke !== 'rgb(214, 39, 40)') fail(`cycle edge ${e.from} -> ${e.to} is drawn ${e.stroke}, not red`);
      }
      await page.waitForTimeout(300);
      await shot(page, 'graph');
      return seen;
    },
  },
  {
    name: 'click-node',
    run: async (page) => {
      const frame = await graphFrame(page);
      await frame.locator(`g.node[data-id="${K3V_ID}"]`).click();
      const tab = await activeTab(page, `${K3V_ID}.md`);
      // The picture follows the active spec.
      const current = await poll('the graph highlights the opened spec', async () => {
        const id = await frame.evaluate(() => document.querySelector('g.node.current')?.getAttribute('data-id')).catch(() => null);
        return id === K3V_ID ? id : null;
      });
      return { tab, current };
    },
  },
  {
    name: 'live-update',
    run: async (page) => {
      // Scroll the picture, then edit the open spec's title: the server says the project
      // changed, the picture is redrawn with the new title, and the scroll position stays.
      const frame = await graphFrame(page);
      const scrolled = await frame.evaluate(() => {
        const s = document.scrollingElement || document.documentElement;
        s.scrollLeft = 120;
        s.scrollTop = 40;
        return { x: s.scrollLeft, y: s.scrollTop };
      });
      // The spec's editor (the focus is in the webview's group): click its title line.
      const title = page.locator('.monaco-editor .view-line', { hasText: '# Add a token-bucket rate limiter' }).first();
      await waitFor(title, "the editor shows k3v's title line");
      await title.click();
      await page.keyboard.press('End');
      await page.keyboard.type(' now');
      const label = await poll('the graph shows the edited title', async () => {
        const t = await frame
          .evaluate((id) => document.querySelector(`g.node[data-id="${id}"] text`)?.textContent ?? '', K3V_ID)
          .catch(() => '');
        return t.endsWith('limiter now') ? t : null;
      });
      const after = await frame.evaluate(() => {
        const s = document.scrollingElement || document.documentElement;
        return { x: s.scrollLeft, y: s.scrollTop };
      });
      if (after.x !== scrolled.x || after.y !== scrolled.y) {
        fail(`the scroll position moved from ${JSON.stringify(scrolled)} to ${JSON.stringify(after)}`);
      }
      return { label, scroll: after };
    },
  },
];

const scenarios = { main: mainScenario, 'missing-server': missingServer, bundled, 'old-server': oldServer, graph: graphScenario, 'specs-view': specsView, 'multi-root': multiRoot };
const SCENARIO = env.SCENARIO || 'main';
const steps = scenarios[SCENARIO];
if (!steps) {
  console.error(`unknown SCENARIO ${SCENARIO}: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

// --- runner ---------------------------------------------------------------------------------

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const context = await chromium.launchPersistentContext(env.BROWSER_PROFILE, {
    executablePath: env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    // Blocked so that every request passes the route below; the graph scenario needs them:
    // VS Code's webview host loads a webview's content only once its service worker runs (the
    // worker is code-server's own, served from the same loopback origin).
    serviceWorkers: SCENARIO === 'graph' ? 'allow' : 'block',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    result.blocked.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  let failed = false;
  let n = 0;
  for (const step of steps) {
    n += 1;
    if (step.todo) {
      result.steps.push({ name: step.name, todo: step.todo });
      continue;
    }
    if (failed) {
      result.steps.push({ name: step.name, skipped: true });
      continue;
    }
    const t = Date.now();
    const entry = { name: step.name };
    try {
      entry.detail = await step.run(page);
      entry.ok = true;
      entry.ms = Date.now() - t;
      entry.screenshot = path.join(OUT, `${String(n).padStart(2, '0')}-${step.name}.png`);
      await page.waitForTimeout(300); // let notifications and hovers finish fading in
      await page.screenshot({ path: entry.screenshot });
    } catch (e) {
      failed = true;
      entry.ok = false;
      entry.ms = Date.now() - t;
      entry.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
      entry.screenshot = path.join(OUT, `FAIL-${step.name}.png`);
      await page.screenshot({ path: entry.screenshot }).catch(() => undefined);
      result.failures.push(`${step.name}: ${entry.error}`);
    }
    result.steps.push(entry);
  }
  result.console_errors = consoleErrors.filter((t) => !/vsda|Canceled/.test(t)).slice(0, 20);
  result.ok = !failed;
  await context.close();
}

try {
  await main();
} catch (e) {
  result.failures.push(`harness error: ${e instanceof Error ? e.stack : e}`);
}
process.stdout.write(JSON.stringify(result) + '\n');
if (!result.ok) {
  console.error(`screenshots: ${OUT}`);
}
process.exit(result.ok ? 0 : 1);
