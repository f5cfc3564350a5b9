'use strict';
// What a person does on Stagematch's pages, by the Dutch labels they see.
const assert = require('node:assert/strict');

const PASSWORD = 'stagematch-demo';

const ACCOUNTS = {
  admin: 'beheerder@demo.stagematch.be',
  school: 'school@demo.stagematch.be',
  school2: 'school2@demo.stagematch.be',
  dienst: 'dienst@demo.stagematch.be',
  dienst2: 'dienst2@demo.stagematch.be',
  dienst3: 'dienst3@demo.stagematch.be',
};

const SERVICE_NAMES = {
  dienst: 'Thuiszorg Demo Antwerpen',
  dienst2: 'Thuiszorg Demo Kempen',
};

const TRACK_SECUNDAIR = /^Secundair onderwijs/;
const ALREADY_ACCEPTED = 'Deze student werd intussen al aanvaard door een andere dienst.';

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A valid Belgian national register number for someone born in 2006 (checksum over
// "2" + the first nine digits), with a serial number that differs from run to run.
function nationalNumber(seed) {
  const serial = String((seed % 997) + 1).padStart(3, '0');
  const base = `060514${serial}`;
  const check = 97 - Number((2000000000n + BigInt(base)) % 97n);
  return `${base}${String(check).padStart(2, '0')}`;
}

// 11 digits as people write them: 06.05.14-123.45.
function formattedNationalNumber(digits) {
  return `${digits.slice(0, 2)}.${digits.slice(2, 4)}.${digits.slice(4, 6)}-` +
    `${digits.slice(6, 9)}.${digits.slice(9)}`;
}

function isoDate(date) {
  return date.toISOString().slice(0, 10);
}

// A unique student, with one internship period starting on a Monday a month or more from now.
function newStudent() {
  const stamp = Date.now();
  const tag = stamp.toString(36);
  const start = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(),
    new Date().getUTCDate() + 30));
  while (start.getUTCDay() !== 1) start.setUTCDate(start.getUTCDate() + 1);
  const end = new Date(start);
  end.setUTCDate(end.getUTCDate() + 25);
  const nn = nationalNumber(stamp);
  return {
    firstName: 'Lotte',
    lastName: `Playwright${tag}`,
    get fullName() { return `${this.firstName} ${this.lastName}`; },
    nationalNumber: nn,
    street: 'Meir 12',
    postalCode: '2000',
    city: 'Antwerpen',
    province: 'ANT',
    phone: '0470 12 34 56',
    email: `lotte.${tag}@example.org`,
    transport: ['Fiets', 'Openbaar vervoer'],
    form: 'blok',
    periodCount: '1',
    hoursPerWeek: '38',
    totalHours: '152',
    periodStart: isoDate(start),
    periodEnd: isoDate(end),
  };
}

// A form control's label as the page writes it: required ones end in " *" (aria-hidden).
function field(label) {
  return new RegExp(`^${escapeRegExp(label)}(\\s*\\*)?$`);
}

function mainMenu(page) {
  return page.getByRole('navigation', { name: 'Hoofdmenu' });
}

// Logs in through the form of /login and waits until the page after it has loaded.
async function login(page, email) {
  await page.goto('/login');
  await page.getByLabel(field('E-mailadres')).fill(email);
  await page.getByLabel(field('Wachtwoord')).fill(PASSWORD);
  await page.getByRole('button', { name: 'Aanmelden', exact: true }).click();
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname === '/login') {
    const alert = await page.locator('.alert, .field-error').allInnerTexts();
    assert.fail(`login as ${email} failed: ${alert.join(' / ') || 'still on /login'}`);
  }
  await mainMenu(page).waitFor();
}

async function openMenu(page, name) {
  await mainMenu(page).getByRole('link', { name }).click();
  await page.waitForLoadState('load');
}

// Fills the registration form of a school ("Student toevoegen") for `s`.
async function fillRegistration(page, s) {
  const form = page.locator('form.request-form');
  const student = form.getByRole('group', { name: 'Gegevens student' });
  const stage = form.getByRole('group', { name: 'Gegevens stage' });
  await student.getByLabel(field('Voornaam')).fill(s.firstName);
  await student.getByLabel(field('Achternaam')).fill(s.lastName);
  await student.getByLabel(field('Rijksregisternummer')).fill(s.nationalNumber);
  await student.getByLabel(field('Straat')).fill(s.street);
  await student.getByLabel(field('Postcode')).fill(s.postalCode);
  await student.getByLabel(field('Plaats')).fill(s.city);
  await student.getByLabel(field('Provincie')).selectOption(s.province);
  await student.getByLabel(field('Telefoon')).fill(s.phone);
  await student.getByLabel(field('E-mail')).fill(s.email);
  const transport = student.getByRole('group', { name: 'Vervoersmiddel' });
  for (const label of s.transport) await transport.getByLabel(label, { exact: true }).check();
  await student.getByLabel(field('Opmerkingen')).fill('Aangemaakt door de browsertest.');

  const mentor = stage.getByLabel(field('Stage-/werkplekbegeleider'));
  const contacts = await mentor.locator('option:not([value=""])').count();
  assert.ok(contacts > 0, 'the school has no contact persons to choose as stage-/werkplekbegeleider');
  await mentor.selectOption({ index: 1 });
  await stage.getByLabel(field('Stagevorm')).selectOption(s.form);
  await stage.getByLabel(field('Aantal periodes')).fill(s.periodCount);
  await stage.getByLabel(field('Aantal uren/week')).fill(s.hoursPerWeek);
  await stage.getByLabel(field('Totaal aantal uren te realiseren')).fill(s.totalHours);
  const period = stage.getByRole('group', { name: 'Periode 1', exact: true });
  await period.getByLabel(field('Startdatum')).fill(s.periodStart);
  await period.getByLabel(field('Einddatum')).fill(s.periodEnd);
  await stage.getByLabel(field('Opmerkingen stage')).fill('Graag in de buurt van Antwerpen.');
}

// The service list's filter form: only the name.
async function filterByName(page, name) {
  const search = page.getByRole('search', { name: 'Studenten filteren' });
  await search.getByLabel(field('Naam')).fill(name);
  await search.getByRole('button', { name: 'Filter', exact: true }).click();
  await page.waitForLoadState('load');
}

function studentRow(page, fullName) {
  return page.locator('table tbody tr').filter({ hasText: fullName });
}

function acceptPanel(page) {
  return page.getByRole('region', { name: 'Aanvaard deze student' });
}

// Fills the accept form of a service's student page: the first mentor, every period, notes
// (optional, filled in all the same).
async function fillAccept(page, notes) {
  const panel = acceptPanel(page);
  const mentor = panel.getByLabel(field('Stagementor'));
  const mentors = await mentor.locator('option:not([value=""])').count();
  assert.ok(mentors > 0, 'the service has no contact persons to choose as stagementor');
  await mentor.selectOption({ index: 1 });
  const periods = panel.getByRole('group', { name: 'Stageperiodes' }).getByRole('checkbox');
  const n = await periods.count();
  assert.ok(n > 0, 'the accept form offers no periods');
  for (let i = 0; i < n; i += 1) await periods.nth(i).check();
  await panel.getByLabel(field('Notities (optioneel)')).fill(notes);
}

async function submitAccept(page) {
  await acceptPanel(page).getByRole('button', { name: 'Aanvaard', exact: true }).click();
  await page.waitForLoadState('load');
}

module.exports = {
  PASSWORD,
  ACCOUNTS,
  SERVICE_NAMES,
  TRACK_SECUNDAIR,
  ALREADY_ACCEPTED,
  escapeRegExp,
  field,
  nationalNumber,
  formattedNationalNumber,
  newStudent,
  mainMenu,
  login,
  openMenu,
  fillRegistration,
  filterByName,
  studentRow,
  acceptPanel,
  fillAccept,
  submitAccept,
};
