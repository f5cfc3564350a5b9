'use strict';
// Debian's chromium through playwright-core (no browser download), screenshots as artefacts,
// and axe-core checks.
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const BLOCKING = new Set(['serious', 'critical']);

function launch() {
  const executablePath = process.env.STAGEMATCH_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: install Debian's (apt-get install -y chromium) ` +
      'or set STAGEMATCH_CHROMIUM; these tests never download a browser');
  }
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A context as a visitor's browser: the pages' Content-Security-Policy stays in force, so a
// script or style the policy blocks shows up as a console message (see watchPage).
function newContext(browser, baseUrl, extra = {}) {
  return browser.newContext({ baseURL: baseUrl, locale: 'nl-BE', ...extra });
}

// Collects what the browser reports about a page: Content-Security-Policy refusals, uncaught
// script errors and parts that did not load, each as a line naming the page.
function watchPage(page, name, problems) {
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`${name}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`${name}: script error: ${err.message}`));
  // A style sheet, icon or other part of a page that did not load (the page itself may
  // answer 4xx on purpose, such as the 409 of a service that was too late).
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      problems.push(`${name}: ${res.status()} for ${res.request().resourceType()} ${res.url()}`);
    }
  });
}

// Empties artifacts/ of an earlier run's files and numbers this run's screenshots 01, 02, ...
class Artifacts {
  constructor(dir = ARTIFACTS) {
    this.dir = dir;
    this.count = 0;
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.png') || name.endsWith('.json')) fs.rmSync(path.join(dir, name));
    }
  }

  file(name) {
    return path.join(this.dir, name);
  }

  async shot(page, step) {
    this.count += 1;
    const slug = step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = this.file(`${String(this.count).padStart(2, '0')}-${slug}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  writeJson(name, value) {
    fs.writeFileSync(this.file(name), `${JSON.stringify(value, null, 2)}\n`);
  }
}

// Runs axe-core on the page as it is now. Returns every violation, each with its nodes' targets.
async function runAxe(page) {
  // Evaluated through the DevTools protocol, not as a <script> in the page, so the page's
  // Content-Security-Policy (script-src 'none') needs no exception for it.
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: tags }),
    AXE_TAGS,
  );
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(' '),
      impact: n.impact,
      html: n.html.length > 300 ? `${n.html.slice(0, 300)}...` : n.html,
      summary: n.failureSummary,
    })),
  }));
}

function blocking(violations) {
  return violations.filter((v) => BLOCKING.has(v.impact));
}

function describeViolations(violations) {
  return violations.map((v) => {
    const targets = v.nodes.map((n) => `      ${n.target}\n        ${n.html}`).join('\n');
    return `  ${v.id} (${v.impact}): ${v.help}\n${targets}`;
  }).join('\n');
}

module.exports = {
  launch, newContext, watchPage, Artifacts, runAxe, blocking, describeViolations, ARTIFACTS,
};
