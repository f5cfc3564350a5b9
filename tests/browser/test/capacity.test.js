'use strict';
// Places against demand in a real browser, on a server of its own filled by `stagematch demo`:
// a service fills in its places (a wrong value first, then a right one) and the admin's
// dashboard shows both pictures, each an SVG image with a name, followed by its table. Every
// page is checked with axe-core and must load without a script or a refused style.
const assert = require('node:assert/strict');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const { startServer } = require('../lib/server');
const {
  launch, newContext, watchPage, Artifacts, runAxe, blocking, describeViolations, ARTIFACTS,
} = require('../lib/browser');
const P = require('../lib/pages');

const TIMEOUT = 120000;
const state = { server: null, browser: null, problems: [] };
const artifacts = new Artifacts(path.join(ARTIFACTS, 'capacity'));

async function newPage(name) {
  const context = await newContext(state.browser, state.server.baseUrl);
  const page = await context.newPage();
  watchPage(page, name, state.problems);
  page.setDefaultTimeout(15000);
  return page;
}

async function expectAccessible(page, what) {
  const serious = blocking(await runAxe(page));
  assert.equal(serious.length, 0, `${what}:\n${describeViolations(serious)}`);
}

before(async () => {
  state.server = await startServer();
  state.browser = await launch();
}, { timeout: 300000 });

after(async () => {
  if (state.browser) await state.browser.close();
  if (state.server) await state.server.stop();
}, { timeout: 60000 });

describe('places against demand', () => {
  it('a service sets its places; a wrong value is refused in Dutch', { timeout: TIMEOUT }, async () => {
    const page = await newPage('dienst');
    await P.login(page, P.ACCOUNTS.dienst);
    await P.openMenu(page, 'Plaatsen');
    await page.getByRole('heading', { level: 1, name: 'Plaatsen' }).waitFor();
    await expectAccessible(page, 'places page');
    const field = page.getByLabel('Plaatsen Duaal leren', { exact: false }).first();
    await field.fill('veel');
    await field.locator('xpath=ancestor::form').getByRole('button', { name: 'Bewaar' }).click();
    await page.getByText('Vul een geheel aantal plaatsen in van 0 tot 999').first().waitFor();
    await expectAccessible(page, 'places page with an error');
    await artifacts.shot(page, 'places with error');
    const again = page.getByLabel('Plaatsen Duaal leren', { exact: false }).first();
    await again.fill('7');
    await again.locator('xpath=ancestor::form').getByRole('button', { name: 'Bewaar' }).click();
    await page.getByText('De plaatsen werden bewaard.').waitFor();
    assert.equal(await page.getByLabel('Plaatsen Duaal leren', { exact: false }).first().inputValue(), '7');
    await artifacts.shot(page, 'places saved');
  });

  it('the dashboard shows both pictures with their tables', { timeout: TIMEOUT }, async () => {
    const page = await newPage('beheerder');
    await P.login(page, P.ACCOUNTS.admin);
    await page.getByRole('heading', { level: 1, name: 'Overzicht' }).waitFor();
    const images = page.locator('svg[role="img"]');
    assert.ok(await images.count() >= 2, 'two pictures per track with a running round');
    for (const name of ['Open aanvragen en resterende plaatsen per provincie', 'Aanvragen per dag']) {
      const picture = page.locator('svg[role="img"]', { has: page.locator('title', { hasText: name }) }).first();
      await picture.waitFor();
      assert.ok((await picture.getAttribute('aria-label')).length > 20, name);
      await page.locator('caption', { hasText: name }).first().waitFor();
    }
    await page.getByText('Tekort').first().waitFor();
    await expectAccessible(page, 'admin dashboard');
    await artifacts.shot(page, 'dashboard');
    assert.deepEqual(state.problems, []);
  });
});
