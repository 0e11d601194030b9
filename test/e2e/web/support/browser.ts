/**
 * Browser tests: the whole app listening on a real port, serving the built web application, driven by
 * playwright-core in the machine's Chromium (Debian package `chromium`; `.ci/run` installs it when missing), with
 * axe-core checks and screenshots saved under test-artifacts/screenshots.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildWebApp, ROOT } from '../../../support/build-once';
import { startApp, type StartOptions, type TestApp } from '../../support/access-app';

export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');

/** Chromium from CHROMIUM_PATH or the first of the usual names on PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  throw new Error('No Chromium found: install the Debian package `chromium` (.ci/run does) or set CHROMIUM_PATH.');
}

/**
 * Headless, sandbox off (tests run as root in CI), and none of Chromium's own network traffic: the machine's
 * network is closed and those connections would only slow every start.
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface WebApp {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the web application (once), starts the API on a free port serving it, and launches Chromium. */
export async function startWebApp(options: StartOptions = {}): Promise<WebApp> {
  const webRoot = await buildWebApp();
  const t = await startApp({ ...options, env: { WEB_ROOT: webRoot, ...options.env } });
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
  return {
    t,
    baseUrl: t.baseUrl,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await t.close();
    },
  };
}

/** A fresh browser context (no shared storage) and page: a phone of 360 px, or a desktop. */
export async function newPage(
  web: WebApp,
  viewport: 'phone' | 'desktop' = 'desktop',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await web.browser.newContext({
    baseURL: web.baseUrl,
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
    viewport: viewport === 'phone' ? { width: 360, height: 740 } : { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  (page as Page & { uncaughtErrors: string[] }).uncaughtErrors = errors;
  return { context, page };
}

/** Uncaught script errors the page raised so far. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { uncaughtErrors?: string[] }).uncaughtErrors ?? [];
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.1 A/AA checks on the page as it is now; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline scripts) allows.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // Runs in the page: its globals, typed here without the DOM library (this file is compiled for Node).
    const { axe, document } = globalThis as unknown as {
      axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails with a readable list when axe finds a serious or critical violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousViolations(page);
  const report = violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  at ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
  expect({ where, violations: report }).toEqual({ where, violations: '' });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Signs in through the login form and waits for the home page. */
export async function signInThroughForm(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/#/masuk');
  await page.getByLabel('Nama pengguna').fill(username);
  await page.getByLabel('Kata sandi').fill(password);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('heading', { level: 1, name: /Selamat datang/ }).waitFor();
}
