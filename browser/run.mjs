// Drives Debian's Chromium through Evident pages, as described by a JSON scenario file.
//
//   node browser/run.mjs scenario.json
//
// The scenario:
//   {
//     "base": "http://127.0.0.1:PORT",
//     "artifacts": "/absolute/dir",               // screenshots and report.json go here
//     "login": {"email": "…", "password": "…"},  // or null: stay signed out
//     "steps": [{
//       "visit": "/path",                          // relative to base
//       "check": ["css selector"],                 // optional: radio buttons / checkboxes to
//                                                  // check (by clicking) after the load
//       "reload": true,                            // optional: reload the page after "check"
//       "click": "css selector",                   // optional: clicked after the load; a
//                                                  // navigation it starts is followed
//       "viewport": [390, 844],                    // optional; default 1280×900
//       "screenshot": "name.png",                  // optional; default step-N.png
//       "expect_text": ["…"],                      // each must be visible on the page
//       "expect_selector": ["css"],                // each must match at least one element
//       "status": 410,                             // optional: an error status this step expects
//       "axe": true                                // WCAG 2.1 A/AA check with axe-core
//     }]
//   }
//
// A step fails on a missing text or selector, an axe violation, any console error or page
// error, and any main-document HTTP response of 400 or more. Every step runs even after a
// failure. Exit code 0 when every step passed, 1 otherwise, with a report on stderr.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const DEFAULT_VIEWPORT = [1280, 900];
const TIMEOUT_MS = 15_000;
const TEXT_TIMEOUT_MS = 5_000;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const INSTALL_HINT =
  'install the browser prerequisites:\n' +
  '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium\n' +
  '  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix browser';

const require = createRequire(import.meta.url);

function die(message) {
  process.stderr.write(`browser: ${message}\n`);
  process.exit(1);
}

function loadScenario(file) {
  if (!file) die('usage: node browser/run.mjs SCENARIO.json');
  let scenario;
  try {
    scenario = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    die(`cannot read the scenario ${file}: ${e.message}`);
  }
  const { base, artifacts, steps } = scenario;
  if (typeof base !== 'string' || !/^https?:\/\//.test(base)) die('scenario: "base" must be an http(s) URL');
  if (typeof artifacts !== 'string' || !path.isAbsolute(artifacts)) die('scenario: "artifacts" must be an absolute path');
  if (!Array.isArray(steps) || steps.length === 0) die('scenario: "steps" must be a non-empty array');
  const login = scenario.login ?? null;
  if (login !== null && (typeof login.email !== 'string' || typeof login.password !== 'string')) {
    die('scenario: "login" must be null or {"email", "password"}');
  }
  steps.forEach((step, i) => {
    if (typeof step.visit !== 'string' || !step.visit.startsWith('/')) {
      die(`scenario: step ${i + 1}: "visit" must be a path starting with /`);
    }
    const v = step.viewport;
    if (v !== undefined && !(Array.isArray(v) && v.length === 2 && v.every(Number.isInteger))) {
      die(`scenario: step ${i + 1}: "viewport" must be [width, height]`);
    }
    if (step.screenshot !== undefined && (typeof step.screenshot !== 'string' || step.screenshot.includes('/'))) {
      die(`scenario: step ${i + 1}: "screenshot" must be a plain file name`);
    }
  });
  return { base: base.replace(/\/+$/, ''), artifacts, login, steps };
}

function axeSource() {
  try {
    return fs.readFileSync(path.join(path.dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');
  } catch (e) {
    die(`axe-core is not installed (${e.message}); ${INSTALL_HINT}`);
  }
}

// Chromium asks every site for /favicon.ico on its own; the pages link no icon, so that one
// 404 is the browser's doing, not the page's, and is the only console error let through.
function isFaviconMiss(message) {
  const url = message.location()?.url;
  try {
    return Boolean(url) && new URL(url).pathname === '/favicon.ico' && message.text().includes('404');
  } catch {
    return false;
  }
}

// One line of plain text (Playwright's messages carry terminal colour codes).
const oneLine = (text) =>
  String(text)
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/\s+/g, ' ')
    .trim();

// Resolves when the main frame navigates within `ms`, or with false when it does not.
function mainFrameNavigation(page, ms) {
  return page
    .waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: ms })
    .then(() => true)
    .catch(() => false);
}

async function expectText(page, text) {
  const match = page.getByText(text).filter({ visible: true }).first();
  try {
    await match.waitFor({ state: 'visible', timeout: TEXT_TIMEOUT_MS });
    return true;
  } catch {
    // Text spread over several elements (a heading and its <span>) has no single match;
    // the rendered text of the page (innerText leaves out hidden elements) still holds it.
    const rendered = await page.evaluate(() => document.body?.innerText ?? '');
    return oneLine(rendered).toLowerCase().includes(oneLine(text).toLowerCase());
  }
}

async function runAxe(page, source) {
  // page.evaluate goes through the DevTools protocol, which the app's strict
  // Content-Security-Policy (script-src 'self') does not block, unlike an inline <script>.
  await page.evaluate(source);
  return page.evaluate(
    (tags) =>
      window.axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((result) => ({
          passes: result.passes.length,
          violations: result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            helpUrl: v.helpUrl,
            targets: v.nodes.map((n) => n.target.map(String).join(' ')),
          })),
        })),
    AXE_TAGS,
  );
}

async function signIn(page, base, login, problems) {
  const response = await page.goto(`${base}/login`, { waitUntil: 'load', timeout: TIMEOUT_MS });
  if (!response || response.status() >= 400) {
    problems.push(`GET /login answered ${response ? response.status() : 'nothing'}`);
    return;
  }
  const form = page.locator('form[action="/login"]');
  await form.locator('input[name="email"]').fill(login.email);
  await form.locator('input[name="password"]').fill(login.password);
  const navigated = mainFrameNavigation(page, TIMEOUT_MS);
  await form.locator('button[type="submit"]').click();
  await navigated;
  await page.waitForLoadState('load');
  if (new URL(page.url()).pathname === '/login') {
    const why = await page
      .locator('.form-error')
      .allInnerTexts()
      .then((t) => oneLine(t.join(' ')))
      .catch(() => '');
    problems.push(`signing in as ${login.email} failed${why ? `: ${why}` : ''}`);
  }
}

async function main() {
  const scenario = loadScenario(process.argv[2]);
  if (!fs.existsSync(CHROMIUM)) die(`${CHROMIUM} is missing; ${INSTALL_HINT}`);
  const axe = scenario.steps.some((s) => s.axe) ? axeSource() : null;
  fs.mkdirSync(scenario.artifacts, { recursive: true });

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
    timeout: TIMEOUT_MS,
  });
  const started = Date.now();
  const results = [];
  try {
    const context = await browser.newContext({
      viewport: { width: DEFAULT_VIEWPORT[0], height: DEFAULT_VIEWPORT[1] },
      // As a Swedish user's browser: date inputs and number formats follow the interface.
      locale: 'sv-SE',
      timezoneId: 'Europe/Stockholm',
    });
    context.setDefaultTimeout(TIMEOUT_MS);
    const page = await context.newPage();

    // Every problem the page reports goes to the step running at the time.
    let current = { name: 'sign-in', problems: [] };
    page.on('console', (message) => {
      const expected =
        current.expectStatus !== undefined &&
        message.text().includes(`status of ${current.expectStatus}`);
      if (message.type() === 'error' && !isFaviconMiss(message) && !expected) {
        const where = message.location()?.url ? ` (${message.location().url})` : '';
        current.problems.push(`console error: ${oneLine(message.text())}${where}`);
      }
    });
    page.on('pageerror', (error) => current.problems.push(`page error: ${oneLine(error.message)}`));
    page.on('response', (response) => {
      const request = response.request();
      if (
        request.isNavigationRequest() &&
        request.frame() === page.mainFrame() &&
        response.status() >= 400 &&
        response.status() !== current.expectStatus
      ) {
        current.problems.push(`HTTP ${response.status()} for ${request.method()} ${response.url()}`);
      }
    });

    if (scenario.login) {
      try {
        await signIn(page, scenario.base, scenario.login, current.problems);
      } catch (e) {
        current.problems.push(`signing in failed: ${oneLine(e.message)}`);
      }
      if (current.problems.length > 0) results.push(current);
    }

    for (const [index, step] of scenario.steps.entries()) {
      current = {
        name: `step ${index + 1} (${step.visit}${step.click ? `, then click ${step.click}` : ''})`,
        problems: [],
        expectStatus: step.status,
      };
      results.push(current);
      const [width, height] = step.viewport ?? DEFAULT_VIEWPORT;
      const screenshot = step.screenshot ?? `step-${index + 1}.png`;
      try {
        await page.setViewportSize({ width, height });
        const response = await page.goto(scenario.base + step.visit, { waitUntil: 'load' });
        if (!response) current.problems.push('the visit got no response');
        for (const selector of step.check ?? []) {
          await page.locator(selector).first().check({ timeout: TEXT_TIMEOUT_MS });
        }
        if (step.reload) await page.reload({ waitUntil: 'load' });
        if (step.click) {
          const navigated = mainFrameNavigation(page, 2_000);
          await page.locator(step.click).first().click({ timeout: TEXT_TIMEOUT_MS });
          if (await navigated) await page.waitForLoadState('load');
        }
        current.url = page.url();
        await page.screenshot({ path: path.join(scenario.artifacts, screenshot), fullPage: true });
        current.screenshot = screenshot;
        for (const text of step.expect_text ?? []) {
          if (!(await expectText(page, text))) current.problems.push(`text not visible: ${JSON.stringify(text)}`);
        }
        for (const selector of step.expect_selector ?? []) {
          if ((await page.locator(selector).count()) === 0) {
            current.problems.push(`no element matches ${JSON.stringify(selector)}`);
          }
        }
        if (step.axe) {
          const { passes, violations } = await runAxe(page, axe);
          current.axe = { passes, violations: violations.length };
          for (const v of violations) {
            current.problems.push(
              `axe ${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>\n` +
                v.targets.map((t) => `        at ${t}`).join('\n'),
            );
          }
        }
      } catch (e) {
        current.problems.push(`the step could not run: ${oneLine(e.message)}`);
      }
    }
  } finally {
    await browser.close();
  }

  const failed = results.filter((r) => r.problems.length > 0);
  fs.writeFileSync(
    path.join(scenario.artifacts, 'report.json'),
    JSON.stringify({ base: scenario.base, ok: failed.length === 0, steps: results }, null, 2) + '\n',
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (failed.length === 0) {
    process.stdout.write(`browser: ${scenario.steps.length} steps passed in ${seconds} s; screenshots in ${scenario.artifacts}\n`);
    return 0;
  }
  const report = failed
    .map((r) => `  ${r.name}${r.url ? ` at ${r.url}` : ''}:\n${r.problems.map((p) => `    - ${p}`).join('\n')}`)
    .join('\n');
  process.stderr.write(
    `browser: ${failed.length} of ${results.length} steps failed (screenshots in ${scenario.artifacts}):\n${report}\n`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => die(`${e.stack ?? e}`),
);
