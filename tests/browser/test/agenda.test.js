'use strict';
// The agenda page in a real browser, on a server of its own filled by `stagematch demo`: a
// school opens "Agenda" from the main menu, makes its feed address, a calendar application
// fetches the feed without a session, a new address stops the old one and revoking stops the
// new one. The page is checked with axe-core in each of its states; screenshots go to
// artifacts/agenda/.
const assert = require('node:assert/strict');
const path = require('node:path');
const { after, before, describe, it } = require('node:test');

const { startServer } = require('../lib/server');
const {
  launch, newContext, watchPage, Artifacts, runAxe, blocking, describeViolations, ARTIFACTS,
} = require('../lib/browser');
const P = require('../lib/pages');

const TIMEOUT = 180000;
const state = { server: null, browser: null, problems: [] };
const artifacts = new Artifacts(path.join(ARTIFACTS, 'agenda'));

// The feed's path in the address the page shows (the server's own base address may differ
// from the port this test started it on).
async function shownFeedPath(page) {
  const address = await page.getByRole('textbox', { name: 'Agenda-adres' }).inputValue();
  const { pathname } = new URL(address);
  assert.match(pathname, /^\/agenda\/[A-Za-z0-9_-]{43}\.ics$/);
  return pathname;
}

async function fetchFeed(feedPath) {
  const res = await fetch(state.server.baseUrl + feedPath);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function expectAccessible(page, what) {
  const bad = blocking(await runAxe(page));
  assert.equal(bad.length, 0, `${what}: serious or critical accessibility violations:\n` +
    describeViolations(bad));
}

before(async () => {
  state.server = await startServer();
  state.browser = await launch();
}, { timeout: TIMEOUT });

after(async () => {
  try {
    if (state.browser) await state.browser.close();
  } finally {
    if (state.server) await state.server.stop();
  }
});

describe('agenda: the feed address of a school', () => {
  it('is made, shown once, renewed and revoked from the page', { timeout: TIMEOUT }, async () => {
    const context = await newContext(state.browser, state.server.baseUrl);
    const page = await context.newPage();
    watchPage(page, 'agenda', state.problems);
    await P.login(page, P.ACCOUNTS.school);
    await P.openMenu(page, 'Agenda');
    assert.equal(new URL(page.url()).pathname, '/agenda');
    await page.getByRole('heading', { level: 1, name: 'Je agenda-adres' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Je hebt nog geen agenda-adres' }).waitFor();
    await expectAccessible(page, 'the agenda page without an address');
    await artifacts.shot(page, 'agenda without address');

    await page.getByRole('button', { name: 'Agenda-adres maken' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { level: 2, name: 'Je nieuwe agenda-adres' }).waitFor();
    const first = await shownFeedPath(page);
    await expectAccessible(page, 'the agenda page with the new address');
    await artifacts.shot(page, 'agenda with new address');

    // A calendar application: no cookie, no session.
    const feed = await fetchFeed(first);
    assert.equal(feed.status, 200);
    assert.equal(feed.type, 'text/calendar; charset=utf-8');
    assert.match(feed.body, /^BEGIN:VCALENDAR\r\n/);
    assert.match(feed.body, /\r\nDTSTART;TZID=Europe\/Brussels:\d{8}T\d{6}\r\n/);

    // Shown once: the page opened again does not hold it.
    await page.goto('/agenda');
    assert.ok(!(await page.content()).includes(first), 'the address is shown again');
    await page.getByRole('heading', { level: 2, name: 'Je hebt een agenda-adres' }).waitFor();

    await page.getByRole('button', { name: 'Nieuw agenda-adres maken' }).click();
    await page.waitForLoadState('load');
    const second = await shownFeedPath(page);
    assert.notEqual(second, first);
    assert.equal((await fetchFeed(first)).status, 404, 'the old address still answers');
    assert.equal((await fetchFeed(second)).status, 200);

    await page.getByRole('button', { name: 'Agenda-adres intrekken' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('status').filter({ hasText: 'ingetrokken' }).waitFor();
    assert.equal((await fetchFeed(second)).status, 404, 'the revoked address still answers');
    await expectAccessible(page, 'the agenda page after revoking');
    await artifacts.shot(page, 'agenda revoked');
    await context.close();
  });

  it('loads whole under its Content-Security-Policy', () => {
    assert.deepEqual(state.problems, [], `the browser reported:\n${state.problems.join('\n')}`);
  });
});
