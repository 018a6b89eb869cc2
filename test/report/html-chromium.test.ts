import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from '../../src/report/html.js';
import { FILE_OPTIONS, loadReport, type ReportFixture } from './load-report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// CI must prove the page in a real browser; a laptop without Chromium skips instead of failing.
if (!hasChromium && process.env.CI === 'true')
  throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);

describe.skipIf(!hasChromium)('html report in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-html-'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context.setDefaultTimeout(5_000);
    context.on('request', (request) => requests.push(request.url()));
    context.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(fixture: ReportFixture): Promise<{ page: Page; url: string }> {
    const file = join(dir, `${fixture}.html`);
    writeFileSync(file, html(loadReport(fixture), FILE_OPTIONS));
    const url = pathToFileURL(file).href;
    const page = await context.newPage();
    await page.goto(url);
    return { page, url };
  }

  const leaf = (page: Page, id: string) => page.locator(`[id="${id}"]`);

  it('shows failing checks with their hints and commands, and keeps passing ones collapsed', async () => {
    const { page } = await open('mixed');
    const failing = leaf(page, 'ingress.dns:stg.cocdev.co.kr');
    await expect(failing.isVisible()).resolves.toBe(true);
    const cause = page.locator('.start-here li', { hasText: 'host stg.cocdev.co.kr' });
    await expect(cause.locator('.hint').innerText()).resolves.toBe(
      '→ Update the record for stg.cocdev.co.kr; it still points at an old address.',
    );
    await expect(cause.locator('.commands').isVisible()).resolves.toBe(true);
    // The tree entry links to Start here rather than repeating the advice.
    await failing.getByRole('link', { name: 'see Start here' }).click();
    expect(new URL(page.url()).hash).toBe('#start-here');
    await expect(leaf(page, 'ingress.https').locator('> .message').innerText()).resolves.toBe(
      'gave up after 20s CHECK_DEADLINE',
    );

    await expect(leaf(page, 'ingress.dns:llm.cocdev.co.kr').isVisible()).resolves.toBe(false);
    await expect(leaf(page, 'ingress.resources:plate-stg/plate-ingress').isVisible()).resolves.toBe(false);
    await expect(leaf(page, 'gitops.applications:argocd/ingress-stg').isVisible()).resolves.toBe(false);
    await expect(page.getByText('1 passed (1)').first().isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('expands a folded runbook when its summary is clicked', async () => {
    const { page } = await open('mixed');
    await page.locator('[id="gitops"] > summary').click();
    await page.locator('[id="gitops.applications"] > summary').click();
    await expect(leaf(page, 'gitops.applications:argocd/ingress-stg').isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('prints every check, passes included', async () => {
    const { page } = await open('mixed');
    await page.emulateMedia({ media: 'print' });
    await expect(leaf(page, 'ingress.dns:llm.cocdev.co.kr').isVisible()).resolves.toBe(true);
    await expect(leaf(page, 'gitops.applications:argocd/ingress-stg').isVisible()).resolves.toBe(true);
    // Strings, not functions: the test compiles without the DOM lib.
    await expect(
      page.evaluate(`getComputedStyle(document.querySelector('.badge.fail')).backgroundColor`),
    ).resolves.toBe('rgba(0, 0, 0, 0)');
    await page.close();
  });

  it('shows hostile text as text: no script runs and nothing leaves the page', async () => {
    requests.length = 0;
    const { page, url } = await open('escaping');
    const failing = leaf(page, 'ingress.resources:plate-stg/<script>');
    await expect(failing.locator('.subject').innerText()).resolves.toBe(
      'Ingress plate-stg/<script>alert("x")</script>',
    );
    await expect(page.evaluate(`document.querySelectorAll('script, b, i, link, img').length`)).resolves.toBe(
      0,
    );
    await expect(page.locator('.target dd').nth(0).innerText()).resolves.toBe('<b>cluster</b>');
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
