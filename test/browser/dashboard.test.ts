/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core (no
 * browser download), against a live Step 3 on a free loopback port. It loads the page, sees
 * readings arrive, switches language, opens the slot map (slot 0: no content; slot 8: hex),
 * runs the I2C read of slot 8 and sees its evidence, picks the TLS 1.3 golden capture (given as
 * with --capture) in the Sequence view and sees its encrypted handshake, and takes screenshots
 * at 1280×800 and 390×844 into test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadCaptureFiles } from '../../src/web/captures.js';
import { DEFAULT_ASSETS_DIR } from '../../src/web/server.js';
import { type Rig, startRig } from './dashboard-rig.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('dashboard in headless Chromium', { timeout: 240_000 }, () => {
  let rig: Rig;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is not installed: run "bash scripts/setup-system.sh" first`);
    if (!existsSync(join(DEFAULT_ASSETS_DIR, 'app.js')))
      throw new Error('the dashboard is not built: run "npm run build" first');
    mkdirSync(ARTIFACTS, { recursive: true });
    const golden = (name: string) => join('test/golden/wire', name);
    rig = await startRig(3, {
      captures: loadCaptureFiles([
        { path: golden('mosquitto-pub-tls13.pcap'), keyLogPath: golden('mosquitto-pub-tls13.keys') },
        { path: golden('mosquitto-pub-tls12.pcap') },
      ]),
    });
    profile = mkdtempSync(join(tmpdir(), 'mqtts-lab-chromium-'));
    // A fresh profile per run; playwright takes it as launchPersistentContext's userDataDir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    // Only the dashboard itself may be contacted.
    await context.route(/^(?!http:\/\/127\.0\.0\.1:\d+\/)/, (route) => {
      problems.push(`blocked request: ${route.request().url()}`);
      return route.abort();
    });
  });

  after(async () => {
    await context?.close();
    await rig?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('loads and shows the running system with live readings', async () => {
    await page.goto(rig.dashboard.url);
    await page.locator('.arch svg [data-role="m5go"]').waitFor();
    const last = page.getByTestId('last-reading');
    await last.waitFor();
    const first = await last.textContent();
    assert.match(first ?? '', /°C/);
    // Live: a later reading replaces the one shown.
    // Live: a later reading replaces the one shown. (No page-side string predicate: the
    // dashboard's CSP forbids eval, which is what waitForFunction with a string would need.)
    await page.locator('[data-testid="last-reading"]', { hasNotText: first! }).waitFor({ timeout: 15_000 });
    assert.match((await page.locator('.arch svg').textContent()) ?? '', /ATECC608B @0x35/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800-overview.png') });
  });

  test('switches to French and back', async () => {
    await page.click('[data-lang="fr"]');
    await page.locator('[data-tab="slots"]', { hasText: 'Carte des slots' }).waitFor();
    assert.equal(await page.evaluate('document.documentElement.lang'), 'fr');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800-fr.png') });
    await page.click('[data-lang="en"]');
    await page.locator('[data-tab="slots"]', { hasText: 'Slot map' }).waitFor();
  });

  test('slot map: slot 0 shows no content, slot 8 shows hex', async () => {
    await page.click('[data-tab="slots"]');
    await page.click('button[data-slot="0"]');
    await page.locator('[data-testid="slot-detail"][data-slot="0"]').waitFor();
    await page.getByTestId('slot-refused').waitFor();
    assert.equal(await page.getByTestId('slot-hex').count(), 0);
    await page.click('button[data-slot="8"]');
    await page.locator('[data-testid="slot-detail"][data-slot="8"]').waitFor();
    const hex = (await page.getByTestId('slot-hex').textContent()) ?? '';
    // Offset 0000, then the seed's 2-byte length and the PKCS#8 SEQUENCE tag.
    assert.match(hex, /^0000 {2}00 [0-9a-f]{2} 30 /);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800-slots.png') });
  });

  test('sequence diagram: drawn from the capture, client certificate in clear under TLS 1.2', async () => {
    await page.click('[data-tab="sequence"]');
    await page.locator('.seq-svg').waitFor();
    const text = (await page.locator('.seq-svg').textContent()) ?? '';
    assert.match(text, /ClientHello/);
    assert.match((await page.getByTestId('cert-visibility').textContent()) ?? '', /TLS 1\.2.*clear/);
  });

  test('sequence diagram of the TLS 1.3 golden capture: the handshake after ServerHello is encrypted', async () => {
    await page.click('[data-tab="sequence"]');
    await page.selectOption('[data-testid="capture-picker"]', 'file-1');
    await page.locator('[data-testid="cert-visibility"][data-visibility="encrypted"]').waitFor();
    assert.match((await page.getByTestId('cert-visibility').textContent()) ?? '', /TLS 1\.3: .*encrypted/);
    assert.match(
      (await page.getByTestId('seq-explain').textContent()) ?? '',
      /everything after ServerHello is encrypted/,
    );
    const hidden = await page.getByTestId('hidden-messages').allTextContents();
    assert.deepEqual(hidden, [
      'inside, unreadable: EncryptedExtensions · CertificateRequest · Certificate · CertificateVerify · Finished',
      'inside, unreadable: Certificate · CertificateVerify · Finished',
    ]);
    // No handshake message is drawn in clear after the ServerHello.
    const clear = await page.locator('.seq-svg g.msg.clear > text:nth-of-type(1)').allTextContents();
    assert.ok(clear.some((x) => x.startsWith('ServerHello')));
    assert.ok(!clear.some((x) => x.startsWith('Certificate')), clear.join(' | '));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800-sequence-tls13.png'), fullPage: true });
    // The same pick in the Eavesdropper view: its download, and the key holder's view set apart.
    await page.click('[data-tab="eavesdropper"]');
    await page.getByTestId('key-holder').waitFor();
    assert.equal(
      await page.getByTestId('capture-download').getAttribute('href'),
      '/api/capture.pcap?capture=file-1',
    );
    assert.match(
      (await page.getByTestId('key-holder').textContent()) ?? '',
      /not the eavesdropper’s[\s\S]*CN=m5go-01/,
    );
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-1280x800-eavesdropper-tls13.png'),
      fullPage: true,
    });
  });

  test('attack button: I2C read of slot 8 runs and its evidence appears', async () => {
    await page.click('[data-tab="attacks"]');
    await page.click('button[data-attack="i2c-read"]');
    const finding = page.locator('[data-finding="i2c/read-slot8@3"]');
    await finding.waitFor({ timeout: 90_000 });
    assert.match((await finding.getAttribute('class')) ?? '', /succeeded/);
    const link = finding.locator('a[download]').first();
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^\/files\/evidence\/i2c-read-step3\.txt$/);
    const res = await page.request.get(new URL(href!, rig.dashboard.url).toString());
    assert.equal(res.status(), 200);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x800-attack.png'), fullPage: true });
    await page.click('[data-tab="stride"]');
    const cell = page.locator('td[data-step="3"][data-cat="I"]');
    await cell.waitFor();
    assert.match((await cell.getAttribute('class')) ?? '', /exposed/);
  });

  test('usable on a narrow screen (390×844): no horizontal page overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const tab of ['overview', 'slots', 'attacks', 'sequence', 'stride', 'eavesdropper']) {
      await page.click(`[data-tab="${tab}"]`);
      await page.waitForTimeout(150);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      assert.ok(overflow <= 1, `${tab}: page is ${overflow}px wider than the screen`);
    }
    await page.click('[data-tab="overview"]');
    await page.getByTestId('last-reading').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390x844-overview.png'), fullPage: true });
    await page.click('[data-tab="attacks"]');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390x844-attacks.png'), fullPage: true });
    await page.click('[data-tab="sequence"]');
    await page.locator('.seq-svg').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390x844-sequence-tls13.png'), fullPage: true });
  });

  test('no console errors, no request beyond the dashboard', () => {
    assert.deepEqual(problems, []);
  });
});
