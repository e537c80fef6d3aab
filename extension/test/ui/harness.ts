/**
 * UI end-to-end harness: the packaged extension (.vsix) installed into a real code-server 4.100.3, driven by
 * Debian's Chromium through playwright-core. Everything a run writes (code-server's profile, extensions dir,
 * HOME and XDG dirs, Chromium's profile, the workspace) lives in one temp dir; code-server runs in its own
 * process group, killed by PID at the end. Every wait is bounded.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

/** The extension folder (…/extension), from dist/test/ui. */
export const EXT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The repository root. */
export const REPO = join(EXT, '..');
const cache = process.env.PATRONI_KIT_CACHE ?? '/var/cache/patroni-kit';
/** code-server 4.100.3 as scripts/setup.sh installs it (scripts/install-code-server.sh). */
export const CODE_SERVER =
  process.env.PATRONI_KIT_CODE_SERVER ?? join(cache, 'code-server-4.100.3/node_modules/.bin/code-server');
/** Debian's chromium (scripts/setup.sh installs it). */
export const CHROMIUM = process.env.PATRONI_KIT_CHROMIUM ?? '/usr/bin/chromium';
/** Where the suite writes its screenshots (committed; extension/README.md shows them). */
export const SCREENSHOTS = process.env.PATRONI_KIT_SCREENSHOTS ?? join(EXT, 'media/screenshots');
/** The extension's id as VS Code knows it (publisher.name). */
export const EXTENSION_ID = 'patroni-kit.patroni-kit';

/** Runs a program to completion (bounded); rejects with its output on a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        timeout: opts.timeoutMs ?? 120_000,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 32 << 20,
      },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`))
          : resolve(stdout),
    );
  });
}

/** A free TCP port on `host`. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `probe` until it gives a value other than undefined/false, at most `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    await sleep(intervalMs);
  }
}

/**
 * Packages the extension once per process: tsc output is already there (the suite is compiled with it), so
 * this is the esbuild bundle plus `vsce package` into `out`. Returns the vsix path.
 */
export async function packageVsix(out: string): Promise<string> {
  await run(process.execPath, [join(EXT, 'scripts/bundle.mjs')], { timeoutMs: 120_000 });
  const vsix = join(out, 'patroni-kit.vsix');
  const vsce = join(REPO, 'node_modules/@vscode/vsce/vsce');
  await run(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--no-rewrite-relative-links',
      '--out',
      vsix,
    ],
    { cwd: EXT, timeoutMs: 120_000 },
  );
  return vsix;
}

/** Options for {@link Workbench.start}. */
export interface WorkbenchOptions {
  /** Loopback address code-server binds to (the suite's own block). */
  host: string;
  /** Files of the workspace folder (relative path → content). */
  files?: Record<string, string>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** A packaged extension to install (see {@link packageVsix}). */
  vsix: string;
}

/** One code-server + one Chromium page, with helpers for the parts of the workbench the tests use. */
export class Workbench {
  readonly dir: string;
  readonly workspace: string;
  page!: Page;
  base = '';
  #server: ChildProcess | undefined;
  #context: BrowserContext | undefined;
  #log = '';
  /** Console errors from the page (for failure messages). */
  readonly consoleErrors: string[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.workspace = join(dir, 'workspace');
  }

  /** code-server's own output so far (for failure messages). */
  get serverLog(): string {
    return this.#log;
  }

  /** Environment for every process of the run: its own HOME and XDG dirs. */
  env(): NodeJS.ProcessEnv {
    const home = join(this.dir, 'home');
    return {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local/share'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_RUNTIME_DIR: join(home, '.run'),
      // code-server's IPC sockets and git helpers land in TMPDIR: keep them in the run dir too.
      TMPDIR: join(home, '.tmp'),
    };
  }

  /** Starts code-server with the vsix installed and a fresh profile, opens the workspace in Chromium. */
  static async start(opts: WorkbenchOptions): Promise<Workbench> {
    if (!existsSync(CODE_SERVER))
      throw new Error(`code-server not found at ${CODE_SERVER}: run scripts/setup.sh`);
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (Debian chromium)`);
    const wb = new Workbench(mkdtempSync(join(tmpdir(), 'pk-ui-')));
    try {
      await wb.#start(opts);
      return wb;
    } catch (err) {
      await wb.close({ keep: true });
      throw new Error(`${String(err)}\ncode-server log:\n${wb.#log.slice(-4000)}\n(run dir kept: ${wb.dir})`);
    }
  }

  async #start(opts: WorkbenchOptions): Promise<void> {
    const user = join(this.dir, 'user');
    const exts = join(this.dir, 'extensions');
    const env = this.env();
    for (const d of [join(user, 'User'), exts, this.workspace, env.HOME!, env.XDG_RUNTIME_DIR!, env.TMPDIR!])
      mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(user, 'User/settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'security.workspace.trust.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'update.mode': 'none',
          'telemetry.telemetryLevel': 'off',
          'window.commandCenter': false,
          'workbench.colorTheme': 'Default Dark Modern',
          'editor.minimap.enabled': false,
          'files.autoSave': 'off',
          ...opts.settings,
        },
        null,
        2,
      ),
    );
    for (const [rel, text] of Object.entries(opts.files ?? {})) {
      mkdirSync(dirname(join(this.workspace, rel)), { recursive: true });
      writeFileSync(join(this.workspace, rel), text);
    }
    await run(
      CODE_SERVER,
      ['--user-data-dir', user, '--extensions-dir', exts, '--install-extension', opts.vsix, '--force'],
      { env, timeoutMs: 60_000 },
    );
    const port = await freePort(opts.host);
    this.base = `http://${opts.host}:${port}`;
    this.#server = spawn(
      CODE_SERVER,
      [
        '--bind-addr',
        `${opts.host}:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir',
        user,
        '--extensions-dir',
        exts,
        this.workspace,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    this.#server.stdout?.on('data', (b) => (this.#log += b));
    this.#server.stderr?.on('data', (b) => (this.#log += b));
    await until(
      'code-server /healthz',
      async () => {
        if (this.#server?.exitCode !== null)
          throw new Error(`code-server exited (${this.#server?.exitCode})`);
        return (await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
      },
      30_000,
      100,
    );
    // A persistent context puts Chromium's profile in the run dir (launch() would make one in TMPDIR).
    this.#context = await chromium.launchPersistentContext(join(this.dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
      env: env as Record<string, string>,
    });
    const context = this.#context;
    // Clipboard reads/writes from the workbench (Copy DSN and the like) need the permission in headless mode.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: this.base });
    this.page = context.pages()[0] ?? (await context.newPage());
    this.page.setDefaultTimeout(20_000);
    this.page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text().slice(0, 300));
    });
    await this.page.goto(`${this.base}/?folder=${encodeURIComponent(this.workspace)}`);
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  }

  /** Closes Chromium, kills code-server's process group (TERM, then KILL) and removes the run dir. */
  async close(opts: { keep?: boolean } = {}): Promise<void> {
    await this.#context?.close().catch(() => undefined);
    const pid = this.#server?.pid;
    if (pid && this.#server?.exitCode === null && this.#server.signalCode === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 50 && this.#server.exitCode === null && this.#server.signalCode === null; i++)
        await sleep(100);
    }
    if (pid)
      try {
        process.kill(-pid, 'SIGKILL'); // stragglers of the group (extension hosts, watchers)
      } catch {}
    if (!opts.keep && !process.env.PATRONI_KIT_UI_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Saves a screenshot as SCREENSHOTS/NAME.png: the window, or one part of it (cut to `maxHeight` px). */
  async screenshot(name: string, part?: Locator, maxHeight?: number): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = join(SCREENSHOTS, `${name}.png`);
    const box = part ? await part.boundingBox() : null;
    if (box)
      await this.page.screenshot({
        path,
        animations: 'disabled',
        clip: { ...box, height: Math.min(box.height, maxHeight ?? box.height) },
      });
    else await this.page.screenshot({ path, animations: 'disabled' });
    return path;
  }

  /** Closes whatever a previous step left open (menus, quick inputs, modals), so a failure does not cascade. */
  async reset(): Promise<void> {
    if (!this.page) return;
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
    if (await this.modal.isVisible().catch(() => false))
      await this.modal
        .locator('.dialog-buttons .monaco-button', { hasText: 'Cancel' })
        .first()
        .click()
        .catch(() => undefined);
  }

  // ---- command palette, quick pick, input box, modal ----------------------------------------------------

  /** The quick-input widget (palette, quick pick, input box all use it). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** The text box of the quick-input widget (`input.input`: the widget has many other inputs). */
  get quickInputBox(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input.input');
  }

  /** Runs a command from the palette by its title as shown there (e.g. `Patroni: Switchover…`). */
  async runCommand(title: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('F1');
    await this.quickInputBox.waitFor({ state: 'visible' });
    await this.quickInputBox.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: title.replace(/^[^:]+:\s*/, '') }),
    });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    // The first row is the best match; make sure it is ours before Enter.
    const first = (
      await renderedText(this.page.locator('.quick-input-list .monaco-list-row').first())
    ).trim();
    if (!first.includes(title.replace(/^[^:]+:\s*/, '')))
      throw new Error(`palette: the first row for "${title}" is "${first}"`);
    await this.page.keyboard.press('Enter');
  }

  /** Closes an open quick input (Escape), if any. */
  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible().catch(() => false)) {
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
    }
  }

  /** Rows of the open quick pick, as their visible text. */
  async quickPickRows(): Promise<string[]> {
    return (await this.page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
  }

  /** Waits for a quick pick whose title or placeholder matches `title`, if given, and returns its rows. */
  async waitForQuickPick(title?: RegExp, timeoutMs = 20_000): Promise<string[]> {
    return until(
      `a quick pick${title ? ` matching ${title}` : ''}`,
      async () => {
        if (!(await this.quickInput.isVisible())) return undefined;
        if (title && !title.test(await this.quickInputTitle())) return undefined;
        const rows = await this.quickPickRows();
        return rows.length > 0 ? rows : undefined;
      },
      timeoutMs,
    );
  }

  /** The title, placeholder and prompt of the open quick input, joined (to recognise which one it is). */
  async quickInputTitle(): Promise<string> {
    const title = await this.page
      .locator('.quick-input-widget .quick-input-title')
      .textContent({ timeout: 1000 })
      .then(
        (t) => t ?? '',
        () => '',
      );
    const placeholder = (await this.quickInputBox.getAttribute('placeholder').catch(() => '')) ?? '';
    const aria = (await this.quickInputBox.getAttribute('aria-label').catch(() => '')) ?? '';
    const message = await this.quickInputMessage();
    return [title, placeholder, aria, message].join(' | ');
  }

  /** The message line under the input (an input box's prompt or its validation message). */
  async quickInputMessage(): Promise<string> {
    return this.page
      .locator('.quick-input-widget .quick-input-message')
      .textContent({ timeout: 1000 })
      .then(
        (t) => t ?? '',
        () => '',
      );
  }

  /** Picks the quick-pick row whose text matches `label` (typing it first narrows long lists). */
  async pick(label: string | RegExp, opts: { filter?: string } = {}): Promise<string> {
    await this.quickInputBox.waitFor({ state: 'visible' });
    if (opts.filter !== undefined) await this.quickInputBox.fill(opts.filter);
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await renderedText(row)).replace(/\s+/g, ' ').trim();
    await row.click();
    return text;
  }

  /** Picks the quick-pick row whose label (not description or detail) is exactly `label`. */
  async pickLabel(label: string): Promise<void> {
    const row = this.page
      .locator('.quick-input-list .monaco-list-row')
      .filter({
        has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
      })
      .first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** Waits for an input box whose title/prompt matches `title`, types `value` (replacing any default) and submits. */
  async answerInput(title: RegExp, value: string, timeoutMs = 20_000): Promise<void> {
    await until(
      `an input box matching ${title}`,
      async () => (await this.quickInput.isVisible()) && title.test(await this.quickInputTitle()),
      timeoutMs,
    );
    await this.quickInputBox.fill(value);
    await this.page.keyboard.press('Enter');
  }

  /** The open modal dialog (`showWarningMessage(…, { modal: true })`). */
  get modal(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  /** Waits for a modal dialog whose text matches `text`; returns its message. */
  async waitForModal(text: RegExp, timeoutMs = 20_000): Promise<string> {
    const box = this.modal.filter({ hasText: text }).first();
    await box.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await renderedText(box)).replace(/\s+/g, ' ').trim();
  }

  /** Clicks a button of the open modal by its label. */
  async modalButton(label: string | RegExp): Promise<void> {
    await this.modal.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click();
    await this.modal.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  // ---- notifications ---------------------------------------------------------------------------------

  /** Toasts currently visible, as text. */
  async notifications(): Promise<string[]> {
    return (
      await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts()
    ).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Waits for a toast whose message matches `text`; returns its locator (the whole toast). */
  async waitForNotification(text: RegExp, timeoutMs = 30_000): Promise<Locator> {
    const toast = this.page
      .locator('.notification-toast')
      .filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) })
      .first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    return toast;
  }

  /** Dismisses every visible toast (Clear All Notifications). */
  async clearNotifications(): Promise<void> {
    const toasts = this.page.locator('.notification-toast');
    if ((await toasts.count()) === 0) return;
    await this.runCommand('Notifications: Clear All Notifications');
    await toasts
      .first()
      .waitFor({ state: 'hidden', timeout: 5000 })
      .catch(() => undefined);
  }

  // ---- the Patroni view --------------------------------------------------------------------------------

  /** Opens the Patroni view container from the activity bar (idempotent). */
  async openPatroniView(): Promise<void> {
    const pane = this.clustersPane;
    if (await pane.isVisible().catch(() => false)) return;
    const tab = this.page.locator('.activitybar .action-item [aria-label^="Patroni"]').first();
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    await tab.click();
    await pane.waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** The Clusters view's pane. */
  get clustersPane(): Locator {
    return this.page.locator('.pane', { has: this.page.locator('.pane-header[aria-label^="Clusters"]') });
  }

  /** Rows of the Clusters tree as `{ label, description, level }` (level 1 = cluster). */
  async treeRows(): Promise<TreeRow[]> {
    return this.clustersPane.locator('.monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
        description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
        level: Number(row.getAttribute('aria-level') ?? '0'),
        expanded: row.getAttribute('aria-expanded'),
      })),
    );
  }

  /** Expands collapsed cluster rows (a cluster painted before its members arrived may start collapsed). */
  async expandClusters(rows?: TreeRow[]): Promise<void> {
    for (const r of rows ?? (await this.treeRows()))
      if (r.level === 1 && r.expanded === 'false')
        await this.treeRow(r.label, 1)
          .locator('.monaco-tl-twistie')
          .first()
          .click({ timeout: 2000 })
          .catch(() => undefined);
  }

  /** One tree row by its label (and optional level), for clicks and context menus. */
  treeRow(label: string, level?: number): Locator {
    const rows = this.clustersPane.locator(
      level === undefined ? '.monaco-list-row' : `.monaco-list-row[aria-level="${level}"]`,
    );
    return rows.filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
  }

  /** Waits until the tree's rows satisfy `ok`; returns them. */
  async waitForTree(what: string, ok: (rows: TreeRow[]) => boolean, timeoutMs = 30_000): Promise<TreeRow[]> {
    let last: TreeRow[] = [];
    try {
      return await until(
        what,
        async () => {
          last = await this.treeRows();
          if (ok(last)) return last;
          await this.expandClusters(last);
          return undefined;
        },
        timeoutMs,
        200,
      );
    } catch (err) {
      throw new Error(`${String(err)}\ntree rows: ${JSON.stringify(last)}`);
    }
  }

  /** Runs a context-menu entry of a tree row (right click, then the entry by its title). */
  async treeContextMenu(row: Locator, title: string): Promise<void> {
    await row.click({ button: 'right' });
    const item = this.page.locator('.context-view .action-item', { hasText: title }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await item.click();
  }

  // ---- editor and Problems -------------------------------------------------------------------------

  /** Opens a workspace file with Quick Open. */
  async openFile(name: string): Promise<void> {
    await this.closeQuickInput();
    await this.page.keyboard.press('Control+P');
    await this.quickInputBox.waitFor({ state: 'visible' });
    await this.quickInputBox.fill(name);
    await this.page
      .locator('.quick-input-list .monaco-list-row', { hasText: name })
      .first()
      .waitFor({ state: 'visible' });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
    await this.page
      .locator('.tabs-container .tab.active', { hasText: name.split('/').pop()! })
      .waitFor({ state: 'visible' });
  }

  /** Replaces text in the active editor with Find/Replace (Ctrl+H, Replace All), then closes the widget. */
  async replaceInEditor(find: string, replace: string): Promise<void> {
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await this.page.keyboard.press('Control+H');
    const findBox = this.page.locator('.editor-instance .find-widget textarea[aria-label="Find"]');
    const replaceBox = this.page.locator('.editor-instance .find-widget textarea[aria-label="Replace"]');
    await findBox.waitFor({ state: 'visible' });
    await findBox.fill(find);
    await replaceBox.fill(replace);
    await this.page.keyboard.press('Control+Alt+Enter'); // Replace All
    await this.page.keyboard.press('Escape');
  }

  /** Opens the Problems panel (idempotent) and returns its rows' text. */
  async problems(): Promise<string[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible().catch(() => false))) {
      await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      await panel.waitFor({ state: 'visible', timeout: 10_000 });
    }
    return (await panel.locator('.monaco-list-row').allInnerTexts()).map((t) =>
      t.replace(/\s+/g, ' ').trim(),
    );
  }

  /** A Problems row by its text (for clicks: a click reveals the range in the editor). */
  problemRow(text: RegExp): Locator {
    return this.page.locator('.markers-panel .monaco-list-row').filter({ hasText: text }).first();
  }

  /** Waits until a Problems row matches `text`. */
  async waitForProblem(text: RegExp, timeoutMs = 30_000): Promise<string> {
    let last: string[] = [];
    try {
      return await until(
        `a Problems row matching ${text}`,
        async () => {
          last = await this.problems();
          return last.find((r) => text.test(r));
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${String(err)}\nProblems rows: ${JSON.stringify(last)}`);
    }
  }
}

/** A row of the Clusters tree as the user sees it. */
export interface TreeRow {
  label: string;
  description: string;
  level: number;
  expanded: string | null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Counts test outcomes so the suite can print the plain `N passed, N failed` line CI recognises. */
export class Tally {
  passed = 0;
  failed = 0;
  /** Wraps a test body: counts it, and on failure saves a screenshot of the moment. */
  wrap(name: string, wb: () => Workbench | undefined, fn: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await wb()?.reset();
        await fn();
        this.passed++;
      } catch (err) {
        this.failed++;
        const w = wb();
        if (w?.page)
          await w.page
            .screenshot({ path: join(w.dir, `failed-${name.replace(/\W+/g, '-').slice(0, 60)}.png`) })
            .catch(() => undefined);
        throw err;
      }
    };
  }
  line(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}

/** A locator's rendered text (layout-aware, unlike textContent: rows keep the gaps between their parts). */
export async function renderedText(l: Locator): Promise<string> {
  await l.waitFor({ state: 'attached' });
  return (await l.allInnerTexts())[0] ?? '';
}
