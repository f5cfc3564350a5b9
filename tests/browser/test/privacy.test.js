'use strict';
// The privacy pages in a real browser, on a server of its own filled by `stagematch demo`: the
// privacy page reached from the footer, and the admin who looks up everything stored about one
// demo student by national register number and erases it on request. Every page is checked
// with axe-core; the browser reports no CSP refusal or script error.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const { startServer } = require('../lib/server');
const {
  launch, newContext, watchPage, runAxe, blocking, describeViolations,
} = require('../lib/browser');
const P = require('../lib/pages');

const state = { server: null, browser: null, problems: [] };

before(async () => {
  state.server = await startServer();
  state.browser = await launch();
}, { timeout: 300000 });

after(async () => {
  try {
    if (state.browser) await state.browser.close();
  } finally {
    if (state.server) await state.server.stop();
  }
}, { timeout: 60000 });

async function newPage(name) {
  const context = await newContext(state.browser, state.server.baseUrl);
  const page = await context.newPage();
  watchPage(page, name, state.problems);
  page.setDefaultTimeout(15000);
  return page;
}

async function assertAccessible(page, what) {
  const bad = blocking(await runAxe(page));
  assert.equal(bad.length, 0, `${what}:\n${describeViolations(bad)}`);
}

// One value of the demo database the server runs on.
function stored(sql) {
  return execFileSync('sqlite3', [path.join(state.server.tmpDir, 'demo.db'), sql]).toString().trim();
}

describe('privacy', () => {
  it('every footer links the privacy page', { timeout: 120000 }, async () => {
    const page = await newPage('visitor');
    await page.goto('/login');
    await page.getByRole('contentinfo').getByRole('link', { name: /^Privacy/ }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/privacy');
    await page.getByRole('heading', { level: 1, name: 'Privacybeleid van Stagematch' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Hoe lang we persoonsgegevens bewaren' })
      .waitFor();
    await assertAccessible(page, '/privacy');
  });

  it('the admin sees what is stored about one student and erases it on request',
    { timeout: 120000 }, async () => {
      const where = 'WHERE accepted_by IS NULL ORDER BY id LIMIT 1';
      const number = stored(`SELECT json_extract(fields_json, '$.national_number') FROM requests ${where}`);
      const lastName = stored(`SELECT last_name FROM requests ${where}`);
      assert.equal(number.length, 11, 'a demo student with a national register number');

      const page = await newPage('admin');
      await P.login(page, P.ACCOUNTS.admin);
      await P.openMenu(page, 'Privacy');
      await page.getByRole('heading', { level: 1, name: 'Privacy: gegevens van een leerling' })
        .waitFor();
      await assertAccessible(page, '/admin/privacy');

      await page.getByLabel(P.field('Rijksregisternummer')).fill(
        `${number.slice(0, 2)}.${number.slice(2, 4)}.${number.slice(4, 6)}-${number.slice(6, 9)}.${number.slice(9)}`);
      await page.getByRole('button', { name: 'Gegevens opvragen' }).click();
      await page.waitForLoadState('load');
      assert.equal(new URL(page.url()).pathname, '/admin/privacy', 'the number is not in the address');
      await page.locator('dd').filter({ hasText: lastName }).first().waitFor();
      await page.locator('dd').filter({ hasText: number }).first().waitFor();
      await assertAccessible(page, 'the stored data of one student');

      await page.getByLabel(P.field('Reden')).fill('Verzoek van de leerling per mail');
      await page.getByRole('button', { name: 'Persoonsgegevens wissen' }).click();
      await page.waitForLoadState('load');
      await page.getByRole('heading', { level: 1, name: 'Persoonsgegevens gewist' }).waitFor();
      await assertAccessible(page, 'the erasure done');
      assert.equal(stored(`SELECT count(*) FROM requests WHERE fields_json LIKE '%${number}%'`), '0');
    });

  it('the browser reported no CSP refusal, script error or missing part', () => {
    assert.deepEqual(state.problems, [], `the browser reported:\n${state.problems.join('\n')}`);
  });
});
