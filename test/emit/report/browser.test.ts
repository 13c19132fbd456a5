// report.html in a real browser: Debian's headless Chromium (installed by .ci/run) opens the file from disk with the
// network off, logs no console error or page error, makes no request beyond the file, and paints a screenshot that
// is not blank (enough non-white pixels, in more than one colour: the charts, not just text).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLenet } from './fixtures.js';

const CHROMIUM = process.env.IMCC_CHROMIUM ?? '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'imcc-browser-'));
let browser: BrowserContext;

beforeAll(async () => {
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
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
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('renders charts (screenshot not blank) and logs no error', async () => {
    const file = join(work, 'report.html');
    writeFileSync(file, compileLenet('0.3Gbps').html);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const svgs = await page.locator('figure svg').count();
    const gridBox = await page.locator('#chart-grid svg').boundingBox();
    const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
    await page.close();

    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(svgs).toBe(5);
    expect(gridBox?.width).toBeGreaterThan(300);
    let ink = 0;
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (r < 240 || g < 240 || b < 240) ink++;
      colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
    }
    const pixels = png.width * png.height;
    expect(ink / pixels).toBeGreaterThan(0.03);
    // Blue utilization cells, grey cells, red over-bandwidth links, bar colours: many distinct colours, not one.
    expect(colours.size).toBeGreaterThan(20);
  });
});
