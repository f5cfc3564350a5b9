'use strict';
// Distance that fits the means of transport (issue 13) in a real browser, on a server of its
// own filled by `stagematch demo`: a service of Oost- en West-Vlaanderen (location Gent) is
// told in Dutch what is wrong with a location it types, adds Brugge, and sorts its list by
// distance: nearest first, unknown last, a student who only cycles from Antwerpen marked with
// the transport hint but still listed. Every page is checked with axe-core. With
// STAGEMATCH_SHOTS set, the sorted list is also saved there as distance.png.
const assert = require('node:assert/strict');
const path = require('node:path');
const {after, describe, it} = require('node:test');

const {startServer} = require('../lib/server');
const {
  launch,
  newContext,
  watchPage,
  Artifacts,
  runAxe,
  blocking,
  describeViolations,
  ARTIFACTS,
} = require('../lib/browser');
const P = require('../lib/pages');

const TIMEOUT = 300000;
const state = {
  server: null,
  browser: null,
  problems: [],
  failed: null
};
const artifacts = new Artifacts(path.join(ARTIFACTS, 'distance'));

async function newPage(name) {
  const context = await newContext(state.browser, state.server.baseUrl);
  const page = await context.newPage();
  watchPage(page, name, state.problems);
  page.setDefaultTimeout(15000);
  return page;
}

async function accessible(page, what) {
  const violations = blocking(await runAxe(page));
  assert.equal(violations.length, 0, `${what}: ${describeViolations(violations)}`);
}

function step(name, fn) {
  it(name, {timeout: TIMEOUT}, async (t) => {
    if (state.failed) {
      t.skip(`an earlier step failed: ${state.failed}`);
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      state.failed = name;
      throw err;
    }
  });
}

after(async () => {
  try {
    if (state.browser) await state.browser.close();
  } finally {
    if (state.server) await state.server.stop();
  }
}, {timeout: 60000});

describe('distance on a service list', () => {
  const s = {...P.newStudent(), transport: ['Fiets']};  // Antwerpen, cycling only

  step('server starts on a fresh database filled by `stagematch demo`', async () => {
    state.server = await startServer();
    state.browser = await launch();
  });

  step('a school registers a student who only cycles', async () => {
    const page = await newPage('school');
    await P.login(page, P.ACCOUNTS.school);
    await page.goto('/school/secundair/nieuw');
    await P.fillRegistration(page, s);
    await page.getByRole('button', {name: 'Opslaan', exact: true}).click();
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.error-summary').count(), 0, 'the registration was refused');
  });

  step('the service is told what is wrong with a location, and adds Brugge', async () => {
    const page = await newPage('dienst3');
    state.service = page;
    await P.login(page, P.ACCOUNTS.dienst3);
    await page.getByRole('navigation', {name: 'Hoofdmenu'})
        .getByRole('link', {name: 'Locaties'})
        .click();
    await page.getByRole('heading', {level: 1, name: 'Locaties van je dienst'}).waitFor();
    await page.getByRole('rowheader', {name: 'Gent'}).waitFor();  // the demo's location
    await accessible(page, 'locations');
    await page.getByLabel(/^Postcode/).fill('8000');
    await page.getByLabel(/^Gemeente of deelgemeente/).fill('Brugse');
    await page.getByRole('button', {name: 'Toevoegen', exact: true}).click();
    await page.getByText('\'Brugse\' is geen plaats die we kennen bij postcode 8000').waitFor();
    assert.equal(
        await page.getByLabel(/^Gemeente of deelgemeente/).getAttribute('aria-invalid'), 'true');
    await accessible(page, 'locations with an error');
    await page.getByLabel(/^Gemeente of deelgemeente/).fill('Brugge');
    await page.getByRole('button', {name: 'Toevoegen', exact: true}).click();
    await page.getByText('De locatie werd toegevoegd.').waitFor();
    await page.getByRole('rowheader', {name: 'Brugge'}).waitFor();
  });

  step('the list sorts by distance and marks the student who only cycles', async () => {
    const page = state.service;
    await page.goto('/dienst/secundair');
    await page.getByLabel('Sorteer op').selectOption('afstand');
    await page.getByRole('button', {name: 'Filter', exact: true}).click();
    await page.waitForLoadState('load');
    assert.match(page.url(), /sorteer=afstand/);
    await page.getByRole('columnheader', {name: 'Afstand'}).waitFor();
    const cells = await page.locator('td[data-label="Afstand"]').allInnerTexts();
    assert.ok(cells.length > 3, 'the list has students');
    const km = cells.map((c) => (/^(\d+) km/.exec(c) ? Number(/^(\d+) km/.exec(c)[1]) : Infinity));
    assert.deepEqual(km, [...km].sort((a, b) => a - b), `nearest first, unknown last: ${cells}`);
    const row = page.getByRole('row').filter({hasText: s.fullName});
    await row.getByText('Alleen fiets: 51 km is ver').waitFor();
    await accessible(page, 'list sorted by distance');
    await artifacts.shot(page, 'list sorted by distance');
    if (process.env.STAGEMATCH_SHOTS) {
      await page.screenshot(
          {path: path.join(process.env.STAGEMATCH_SHOTS, 'distance.png'), fullPage: true});
    }
    assert.deepEqual(state.problems, [], 'no script errors or CSP refusals');
  });
});
