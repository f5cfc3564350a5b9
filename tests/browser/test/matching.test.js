'use strict';
// The matching flow in a real browser, on a server of its own filled by `stagematch demo`:
// a school registers a student, two services find it, one accepts it, the school sees the
// answer, the other service is told it was too late, and the admin finds the student by its
// national register number and undoes the acceptance. Every page it visits is checked with
// axe-core; every step leaves a screenshot in artifacts/.
const assert = require('node:assert/strict');
const { after, describe, it } = require('node:test');

const { startServer } = require('../lib/server');
const {
  launch, newContext, watchPage, Artifacts, runAxe, blocking, describeViolations,
} = require('../lib/browser');
const P = require('../lib/pages');

const STEP_TIMEOUT = 120000;
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };

// The pages checked with axe-core, in the order the flow visits them.
const A11Y_PAGES = [
  'login',
  'school overview',
  'registration form',
  'registration form with errors',
  'school overview with new student',
  'school contact persons',
  'service list',
  'service list after a status change from the row',
  'service student page before acceptance',
  'service student page with accept form',
  'service student page after acceptance',
  'service contact persons',
  'school student page with answer',
  'already accepted message',
  'admin dashboard',
  'admin calendars',
  'admin search results',
  'admin request after undo',
  'service list (phone)',
  'registration form (phone)',
];

const state = {
  server: null,
  browser: null,
  artifacts: new Artifacts(),
  pages: {}, // name -> Page, for screenshots when a step fails
  axe: new Map(), // page key -> {url, violations} or {url, error}
  failedStep: null,
  serverFailed: null,
  student: P.newStudent(),
  browserProblems: [], // CSP refusals and script errors, per page
};

async function checkA11y(page, key) {
  assert.ok(A11Y_PAGES.includes(key), `unknown accessibility page key: ${key}`);
  const url = new URL(page.url()).pathname;
  try {
    state.axe.set(key, { url, violations: await runAxe(page) });
  } catch (err) {
    state.axe.set(key, { url, error: String(err && err.stack ? err.stack : err) });
  }
}

async function newPage(name, contextOptions = {}) {
  const context = await newContext(state.browser, state.server.baseUrl, contextOptions);
  const page = await context.newPage();
  watchPage(page, name, state.browserProblems);
  page.setDefaultTimeout(15000);
  page.setDefaultNavigationTimeout(30000);
  state.pages[name] = page;
  return page;
}

async function shot(page, name) {
  await state.artifacts.shot(page, name);
}

// A step of the flow: skipped when an earlier step failed (an `independent` step only when the
// server did not start); on failure, a screenshot of every open page as
// artifacts/failure-<page>.png.
function step(name, fn, { timeout = STEP_TIMEOUT, independent = false } = {}) {
  it(name, { timeout }, async (t) => {
    const blocker = independent ? state.serverFailed : state.failedStep;
    if (blocker) {
      t.skip(`an earlier step failed: ${blocker}`);
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      state.failedStep = state.failedStep || name;
      for (const [pageName, page] of Object.entries(state.pages)) {
        try {
          if (!page.isClosed()) {
            await page.screenshot({ path: state.artifacts.file(`failure-${pageName}.png`), fullPage: true });
          }
        } catch { /* the page may be gone */ }
      }
      throw err;
    }
  });
}

after(async () => {
  state.artifacts.writeJson('axe-report.json', Object.fromEntries(state.axe));
  try {
    if (state.browser) await state.browser.close();
  } finally {
    if (state.server) {
      const exit = await state.server.stop();
      if (exit && exit.code !== 0 && exit.signal !== 'SIGTERM') {
        console.error(`stagematch serve exited with ${JSON.stringify(exit)}`);
      }
    }
  }
}, { timeout: 60000 });

describe('matching flow', () => {
  const s = state.student;

  // A step rather than a before-hook, so that a server that cannot start is one failed test.
  step('server starts on a fresh database filled by `stagematch demo`', async (t) => {
    try {
      state.server = await startServer();
      t.diagnostic(`server at ${state.server.baseUrl}`);
      state.browser = await launch();
    } catch (err) {
      state.serverFailed = 'the server or the browser did not start';
      throw err;
    }
  }, { timeout: 300000 });

  step('school logs in through the login form', async () => {
    const page = await newPage('school');
    await page.goto('/login');
    await page.getByRole('heading', { level: 1, name: 'Aanmelden' }).waitFor();
    await checkA11y(page, 'login');
    await shot(page, 'login page');
    await P.login(page, P.ACCOUNTS.school);
    await shot(page, 'school logged in');
  });

  step('school opens the secundair track', async () => {
    const page = state.pages.school;
    await P.openMenu(page, P.TRACK_SECUNDAIR);
    assert.equal(new URL(page.url()).pathname, '/school/secundair');
    await page.getByRole('heading', { level: 1, name: P.TRACK_SECUNDAIR }).waitFor();
    await checkA11y(page, 'school overview');
    await shot(page, 'school secundair overview');
  });

  step('school submits the registration form empty and sees what to fix', async () => {
    const page = state.pages.school;
    await page.getByRole('link', { name: 'Student toevoegen' }).click();
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/school/secundair/nieuw');
    await page.getByRole('heading', { level: 1, name: /Student toevoegen/ }).waitFor();
    await checkA11y(page, 'registration form');
    await shot(page, 'registration form');

    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.waitForLoadState('load');
    const summary = page.getByRole('alert').filter({ hasText: 'Kijk deze velden na' });
    await summary.waitFor();
    assert.ok(await summary.getByRole('link').count() >= 5,
      'the error summary links to the fields to fix');
    await assert.doesNotReject(
      page.locator('#f-first-name[aria-invalid="true"]').waitFor(),
      'Voornaam is marked invalid',
    );
    await checkA11y(page, 'registration form with errors');
    await shot(page, 'registration form with errors');
  });

  step('school registers a student', async () => {
    const page = state.pages.school;
    await P.fillRegistration(page, s);
    await shot(page, 'registration form filled in');
    await page.getByRole('button', { name: 'Opslaan', exact: true }).click();
    await page.waitForLoadState('load');
    const summary = page.locator('.error-summary');
    if (await summary.count()) {
      assert.fail(`the registration was refused: ${(await summary.innerText()).replace(/\s+/g, ' ')}`);
    }
    await page.getByRole('status').filter({ hasText: 'De student werd ingeschreven' }).waitFor();
    // With only warnings the school lands on the student's page; the overview lists it either way.
    if (new URL(page.url()).pathname !== '/school/secundair') await page.goto('/school/secundair');
    await P.studentRow(page, s.fullName).getByRole('link', { name: s.fullName }).waitFor();
    await checkA11y(page, 'school overview with new student');
    await shot(page, 'school overview with the new student');
  });

  step('school contact persons page', async () => {
    const page = state.pages.school;
    await P.openMenu(page, 'Contactpersonen');
    assert.equal(new URL(page.url()).pathname, '/school/contactpersonen');
    assert.ok(await page.locator('table tbody tr th[scope="row"]').count() > 0,
      'the demo school has contact persons');
    await checkA11y(page, 'school contact persons');
    await shot(page, 'school contact persons');
  });

  step('second service (dienst2) finds the student with the name filter', async () => {
    const page = await newPage('dienst2');
    await P.login(page, P.ACCOUNTS.dienst2);
    await P.openMenu(page, P.TRACK_SECUNDAIR);
    assert.equal(new URL(page.url()).pathname, '/dienst/secundair');
    await checkA11y(page, 'service list');
    await shot(page, 'dienst2 service list');

    await P.filterByName(page, s.lastName);
    await P.studentRow(page, s.fullName).waitFor();
    assert.equal(await page.locator('table tbody tr').count(), 1, 'the name filter finds one student');
    await shot(page, 'dienst2 filtered by name');

    await page.getByRole('link', { name: `meer info over ${s.fullName}` }).click();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { level: 1, name: s.fullName }).waitFor();
    const text = await page.locator('main').innerText();
    const html = await page.content();
    for (const secret of [s.nationalNumber, P.formattedNationalNumber(s.nationalNumber), s.email]) {
      assert.ok(!html.includes(secret),
        `before acceptance the service page must not contain the student's personal data (${secret})`);
    }
    assert.match(text, /Pas vanaf de status .* zie je het rijksregisternummer/);
    await P.acceptPanel(page).waitFor();
    await checkA11y(page, 'service student page before acceptance');
    await shot(page, 'dienst2 student page without personal data');
  });

  step('second service sets "niet aanvaard" from the list row and the row shows it', async () => {
    // A second tab of the same browser: the student page stays open for a later step.
    const page = await state.pages.dienst2.context().newPage();
    watchPage(page, 'dienst2 list', state.browserProblems);
    state.pages['dienst2 list'] = page;
    await page.goto('/dienst/secundair');
    await P.filterByName(page, s.lastName);
    const row = P.studentRow(page, s.fullName);
    await row.getByText('Onbeslist', { exact: true }).waitFor();
    await row.getByRole('button', { name: `Zet de status van ${s.fullName} op Niet aanvaard` }).click();
    await page.waitForLoadState('load');
    await page.getByRole('status').filter({ hasText: 'De status werd gewijzigd naar Niet aanvaard.' }).waitFor();
    const url = new URL(page.url());
    assert.equal(url.pathname, '/dienst/secundair');
    assert.equal(url.searchParams.get('naam'), s.lastName, 'back on the same filtered list');
    await row.locator('.badge').getByText('Niet aanvaard', { exact: true }).waitFor();
    await row.getByRole('button', { name: `Zet de status van ${s.fullName} op Onbeslist` }).waitFor();
    await checkA11y(page, 'service list after a status change from the row');
    await shot(page, 'dienst2 set niet aanvaard from the row');
    await page.close();
    delete state.pages['dienst2 list'];
  });

  step('first service (dienst) filters, opens the student and accepts it', async () => {
    const page = await newPage('dienst');
    await P.login(page, P.ACCOUNTS.dienst);
    await P.openMenu(page, P.TRACK_SECUNDAIR);
    await P.filterByName(page, s.lastName);
    await P.studentRow(page, s.fullName).waitFor();
    await shot(page, 'dienst filtered by name');
    await page.getByRole('link', { name: `meer info over ${s.fullName}` }).click();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { level: 1, name: s.fullName }).waitFor();
    assert.ok(!(await page.content()).includes(s.nationalNumber),
      'no national number before acceptance');

    const panel = P.acceptPanel(page);
    await panel.waitFor();
    await panel.getByText('kan dit niet meer ongedaan gemaakt worden').waitFor();
    await P.fillAccept(page, 'Start op maandag om 8u30 op ons kantoor, Meir 1.');
    await checkA11y(page, 'service student page with accept form');
    await shot(page, 'dienst accept form filled in');

    await P.submitAccept(page);
    await page.getByRole('status').filter({ hasText: 'De student werd aanvaard' }).waitFor();
    await page.getByRole('region', { name: 'Aanvaard door je dienst' }).waitFor();
    assert.equal(await P.acceptPanel(page).count(), 0, 'the accept form is gone');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(s.nationalNumber),
      'after acceptance the service sees the national number the school typed');
    assert.ok(text.includes(s.email), 'after acceptance the service sees the student\'s e-mail');
    await checkA11y(page, 'service student page after acceptance');
    await shot(page, 'dienst accepted the student');

    await P.openMenu(page, 'Contactpersonen');
    assert.equal(new URL(page.url()).pathname, '/dienst/contactpersonen');
    await checkA11y(page, 'service contact persons');
    await shot(page, 'dienst contact persons');
  });

  step('school sees the answer', async () => {
    const page = state.pages.school;
    await P.openMenu(page, P.TRACK_SECUNDAIR);
    await page.reload();
    const row = P.studentRow(page, s.fullName);
    await row.waitFor();
    await row.getByText('Aanvaard', { exact: true }).waitFor();
    await row.getByText(P.SERVICE_NAMES.dienst, { exact: true }).waitFor();
    await shot(page, 'school overview shows the answer');

    await row.getByRole('link', { name: s.fullName }).click();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { name: `Aanvaard door ${P.SERVICE_NAMES.dienst}` }).waitFor();
    await checkA11y(page, 'school student page with answer');
    await shot(page, 'school student page with the answer');
  });

  step('second service tries to accept the same student and is told it was too late', async () => {
    const page = state.pages.dienst2; // still showing the student page of before the acceptance
    await P.fillAccept(page, 'Wij kunnen deze student ook ontvangen.');
    await shot(page, 'dienst2 accept form filled in');
    await P.submitAccept(page);
    await page.getByRole('heading', { level: 1, name: 'Niet gelukt' }).waitFor();
    await page.getByText(P.ALREADY_ACCEPTED, { exact: true }).waitFor();
    await checkA11y(page, 'already accepted message');
    await shot(page, 'dienst2 sees already accepted');

    await page.getByRole('link', { name: 'Terug naar de lijst' }).click();
    await page.waitForLoadState('load');
    await P.filterByName(page, s.lastName);
    assert.equal(await P.studentRow(page, s.fullName).count(), 0,
      'the accepted student is gone from the other service\'s list');
    await shot(page, 'dienst2 list without the student');
  });

  step('admin dashboard and calendars', async () => {
    const page = await newPage('beheerder');
    await P.login(page, P.ACCOUNTS.admin);
    assert.equal(new URL(page.url()).pathname, '/admin');
    await page.getByRole('heading', { level: 1, name: 'Overzicht' }).waitFor();
    await checkA11y(page, 'admin dashboard');
    await shot(page, 'admin dashboard');

    await P.openMenu(page, 'Kalenders');
    assert.equal(new URL(page.url()).pathname, '/admin/kalenders');
    await page.getByRole('heading', { level: 1, name: 'Kalenders' }).waitFor();
    await checkA11y(page, 'admin calendars');
    await shot(page, 'admin calendars');
  }, { independent: true });

  step(
      'admin searches the student by national number, opens it and undoes the acceptance',
      async () => {
        let page = state.pages.beheerder;
        if (!page || page.isClosed()) {
          page = await newPage('beheerder');
          await P.login(page, P.ACCOUNTS.admin);
        }
        await P.openMenu(page, 'Zoeken');
        assert.equal(new URL(page.url()).pathname, '/admin/zoeken');
        const search = page.getByRole('search', {name: 'Aanvragen zoeken'});
        // Typed with the punctuation of the card; the search uses the digits.
        await search.getByLabel('Rijksregisternummer')
            .fill(P.formattedNationalNumber(s.nationalNumber));
        await search.getByRole('button', {name: 'Zoeken'}).click();
        await page.waitForLoadState('load');
        await page.getByRole('heading', {level: 2, name: /Resultaten \(1\)/}).waitFor();
        assert.equal(await P.studentRow(page, s.fullName).count(), 1, 'the student is found');
        await checkA11y(page, 'admin search results');
        await shot(page, 'admin search results');

        await P.studentRow(page, s.fullName).getByRole('link', {name: /meer info/}).click();
        await page.getByRole('heading', {level: 1, name: new RegExp(P.escapeRegExp(s.fullName))})
            .waitFor();
        const undo = page.getByRole('region', {name: 'Aanvaarding ongedaan maken'});
        const reason = 'De dienst aanvaardde deze student per vergissing.';
        await undo.getByLabel(P.field('Reden')).fill(reason);
        await undo.getByRole('button', {name: 'Aanvaarding ongedaan maken'}).click();
        await page.waitForLoadState('load');
        await page.getByText(/De aanvaarding werd ongedaan gemaakt\./).waitFor();
        assert.equal(
            await page.getByRole('region', {name: 'Aanvaarding ongedaan maken'}).count(), 0,
            'nothing left to undo');
        const history = page.getByRole('region', {name: 'Geschiedenis'});
        await history.getByText(reason, {exact: false}).first().waitFor();
        await checkA11y(page, 'admin request after undo');
        await shot(page, 'admin request after undo');
      });

  step('phone: service list and registration form', async () => {
    // Other accounts than above: one account has one session at a time.
    const service = await newPage('phone-dienst3', PHONE);
    await P.login(service, P.ACCOUNTS.dienst3);
    await P.openMenu(service, P.TRACK_SECUNDAIR);
    assert.equal(new URL(service.url()).pathname, '/dienst/secundair');
    await checkA11y(service, 'service list (phone)');
    await shot(service, 'phone service list');

    const school = await newPage('phone-school2', PHONE);
    await P.login(school, P.ACCOUNTS.school2);
    await school.goto('/school/secundair/nieuw');
    await school.getByRole('heading', { level: 1, name: /Student toevoegen/ }).waitFor();
    await checkA11y(school, 'registration form (phone)');
    await shot(school, 'phone registration form');
  }, { independent: true });
});

describe('accessibility (axe-core: no serious or critical violations)', () => {
  for (const key of A11Y_PAGES) {
    it(key, (t) => {
      const result = state.axe.get(key);
      if (!result && state.failedStep) {
        t.skip(`not reached: "${state.failedStep}" failed`);
        return;
      }
      assert.ok(result, `page "${key}" was not checked by the flow`);
      assert.ok(!result.error, `axe-core could not run on ${result.url}: ${result.error}`);
      const minor = result.violations.filter((v) => !blocking([v]).length);
      if (minor.length) t.diagnostic(`${result.url}: minor/moderate: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
      const bad = blocking(result.violations);
      assert.equal(bad.length, 0,
        `${result.url} has serious or critical accessibility violations:\n${describeViolations(bad)}`);
    });
  }
});

describe('content security policy', () => {
  it('every visited page loaded whole under its Content-Security-Policy: no refusals, script errors or missing parts', () => {
    assert.deepEqual(state.browserProblems, [],
      `the browser reported:\n${state.browserProblems.join('\n')}`);
  });
});
