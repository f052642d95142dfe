/**
 * A real JupyterLab (loopback, random port, token, news and update checks off) and Debian's
 * headless Chromium on it, for the browser tests. Every request beyond the local server is
 * blocked and recorded in `offsiteRequests`, which tests expect to stay empty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { repoRoot } from './python.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const jupyter = join(repoRoot, '.venv', 'bin', 'jupyter');
const installedExtension = join(repoRoot, '.venv', 'share', 'jupyter', 'labextensions', 'losslens-extension', 'package.json');

export interface LabOptions {
  /** Notebooks copied into the served folder; the first is opened. */
  notebooks: string[];
  /** Extra `jupyter lab` arguments (e.g. to disable an extension). */
  args?: string[];
  /** Extra user settings, by plugin id. */
  settings?: Record<string, object>;
  viewport?: { width: number; height: number };
}

export interface LabSession {
  page: Page;
  context: BrowserContext;
  /** Folder the server serves; notebooks live here. */
  notebookDir: string;
  /** Base URL with no path, e.g. http://127.0.0.1:PORT. */
  base: string;
  token: string;
  offsiteRequests: string[];
  serverLog(): string;
  /**
   * Opens a served notebook in the same page (a reload) and returns its panel once it is in
   * front. JupyterLab first restores the notebook opened before, so for a moment both are
   * shown and ".jp-NotebookPanel:not(.lm-mod-hidden)" can match a panel about to be hidden.
   */
  open(notebook: string): Promise<Locator>;
  /** The panel of `notebook` (a served file name), once it is JupyterLab's current, visible widget. */
  panel(notebook: string): Promise<Locator>;
  stop(): Promise<void>;
}

/**
 * The part of JupyterLab's application object (window.jupyterapp, exposed by the server
 * option below) that the browser tests use: commands, and the widget in front.
 */
export interface JupyterAppInPage {
  commands: { execute(id: string, args?: object): Promise<unknown> };
  shell: {
    currentWidget: {
      id: string;
      isVisible: boolean;
      /** A document widget's file, relative to the served folder. */
      context?: { path: string };
      sessionContext?: { session?: { kernel?: { status: string } | null } | null };
    } | null;
  };
}

declare global {
  interface Window {
    /** Present once JupyterLab has started (with --LabApp.expose_app_in_browser). */
    jupyterapp?: JupyterAppInPage;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/** User settings that keep the test offline and every output attached to the page. */
function writeSettings(dir: string, extra: Record<string, object>): void {
  const settings: Record<string, object> = {
    '@jupyterlab/notebook-extension/tracker': { windowingMode: 'none' },
    '@jupyterlab/apputils-extension/notification': { fetchNews: 'false', checkForUpdates: false },
    ...extra,
  };
  for (const [plugin, values] of Object.entries(settings)) {
    const file = join(dir, `${plugin}.jupyterlab-settings`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(values));
  }
}

async function waitForServer(server: ChildProcess, base: string, token: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`jupyter lab exited with ${server.exitCode}:\n${log().slice(-2000)}`);
    const ready = await fetch(`${base}/api/status?token=${token}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`jupyter lab did not answer within 60 s:\n${log().slice(-2000)}`);
}

function withinSeconds<T>(promise: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts JupyterLab on the notebooks and opens the first in Chromium. Call `stop()` in afterAll. */
export async function startLab(options: LabOptions): Promise<LabSession> {
  if (!existsSync(installedExtension)) {
    throw new Error('losslens-extension is not installed in .venv; run scripts/setup.sh (it builds and installs it)');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; run scripts/setup.sh --with-browser`);
  const workDir = mkdtempSync(join(tmpdir(), 'losslens-browser-'));
  const notebookDir = join(workDir, 'notebooks');
  mkdirSync(notebookDir);
  for (const notebook of options.notebooks) copyFileSync(notebook, join(notebookDir, basename(notebook)));
  writeSettings(join(workDir, 'settings'), options.settings ?? {});

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  let log = '';
  const server = spawn(
    jupyter,
    [
      'lab',
      '--no-browser',
      '--allow-root',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${notebookDir}`,
      `--LabApp.user_settings_dir=${join(workDir, 'settings')}`,
      `--LabApp.workspaces_dir=${join(workDir, 'workspaces')}`,
      '--LabApp.news_url=None',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      // window.jupyterapp: tests ask the shell which notebook is in front (see `panel`).
      '--LabApp.expose_app_in_browser=True',
      ...(options.args ?? []),
    ],
    { cwd: workDir, env: { ...process.env, JUPYTER_RUNTIME_DIR: join(workDir, 'runtime') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  const base = `http://127.0.0.1:${port}`;
  let context: BrowserContext | undefined;
  // A wedged browser or server must not hang the suite: each step gets a bounded wait, then SIGKILL.
  const stop = async () => {
    if (context) await withinSeconds(context.close(), 20).catch(() => undefined);
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r).once('error', r));
      server.kill('SIGTERM');
      if (
        !(await withinSeconds(exited, 20).then(
          () => true,
          () => false,
        ))
      ) {
        server.kill('SIGKILL');
        await withinSeconds(exited, 10).catch(() => undefined);
      }
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitForServer(server, base, token, () => log);
    context = await chromium.launchPersistentContext(join(workDir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 1000 },
    });
    const offsiteRequests: string[] = [];
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])(?!data:|blob:).*/, (route) => {
      offsiteRequests.push(route.request().url());
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const panel = async (notebook: string): Promise<Locator> => {
      const id = await page.waitForFunction(
        (path) => {
          const widget = window.jupyterapp?.shell.currentWidget;
          return widget?.context?.path === path && widget.isVisible ? widget.id : null;
        },
        basename(notebook),
        { timeout: 120_000, polling: 250 },
      );
      const locator = page.locator(`[id="${String(await id.jsonValue())}"]`);
      await id.dispose();
      return locator;
    };
    const open = async (notebook: string) => {
      await page.goto(`${base}/lab/tree/${encodeURIComponent(basename(notebook))}?token=${token}`);
      return panel(notebook);
    };
    await page.goto(`${base}/lab/tree/${encodeURIComponent(basename(options.notebooks[0]))}?token=${token}`);
    return { page, context, notebookDir, base, token, offsiteRequests, serverLog: () => log, open, panel, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
