/**
 * Page-object helpers shared by the cross-role story test: keyboard-only sign-in with a visible-focus check,
 * reading a downloaded PDF's text, and a polite API poll.
 */
import type { Page } from 'playwright-core';
import { sleep } from '../../support/access-app';

export { pdfText } from '../../../support/pdf-text';

/**
 * Polls until `check` returns a value, twice a second: the app limits each address to 600 requests a minute and
 * the browser under test shares the test's address, so a faster poll could starve the page's own requests.
 */
export async function settled<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(500);
  }
}

/** What has the keyboard focus now: its tag, name attribute, text and computed outline style. */
export interface Focused {
  tag: string;
  name: string | null;
  text: string;
  outlineStyle: string;
  outlineWidth: string;
}

/** The focused element, read in the page (a string is evaluated: this file is compiled without the DOM's types). */
export async function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('name'),
      text: (el.textContent || '').trim(),
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
    };
  })()`);
}

/** Presses Tab until `matches` holds for the focused element (at most `limit` presses), and returns it. */
export async function tabUntil(page: Page, matches: (f: Focused) => boolean, limit = 20): Promise<Focused> {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (matches(now)) return now;
  }
  throw new Error(`focus did not reach the wanted element within ${limit} Tab presses`);
}

/**
 * Signs in with the keyboard only: Tab to the user name, type, Tab to the password, type, Tab to the button,
 * Enter. Returns the focus as it was on each of the three controls, so the caller can assert it was visible.
 */
export async function signInWithKeyboard(page: Page, username: string, password: string): Promise<Focused[]> {
  await page.goto('/#/masuk');
  await page.getByRole('heading', { level: 1, name: 'Masuk ke Muskel' }).waitFor();
  const seen: Focused[] = [];
  seen.push(await tabUntil(page, (f) => f.tag === 'input' && f.name === 'username'));
  await page.keyboard.type(username);
  seen.push(await tabUntil(page, (f) => f.tag === 'input' && f.name === 'password', 3));
  await page.keyboard.type(password);
  seen.push(await tabUntil(page, (f) => f.tag === 'button' && f.text === 'Masuk', 3));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /Selamat datang/ }).waitFor();
  return seen;
}
