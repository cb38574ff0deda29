// The information risk register as the practice manager and the SIRO use it: add a threat from
// the library, review it, and accept a risk above the appetite. Every page checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { start, checkAccessibility, signIn, openPractice, unfold } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('the practice manager adds a threat from the library and reviews it', async () => {
  const page = await app.newPage();
  await signIn(page, 'r.ahmed');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Information risks' }).click();
  await page.getByRole('heading', { name: 'Information risk register' }).waitFor();
  assert.match(await page.locator('tbody').first().innerText(), /Phishing email leads to a stolen password/);
  assert.equal(await page.locator('svg.heat-map').count(), 1, 'the heat map is drawn');
  await checkAccessibility(page);
  await app.screenshot(page, 'risk-register');

  await page.getByRole('link', { name: 'Add from the threat library' }).click();
  await page.getByRole('heading', { name: 'Threat library' }).waitFor();
  await checkAccessibility(page);
  await page.getByRole('button', { name: 'Add Unsupported software on practice computers to the register' }).click();
  await page.getByRole('heading', { name: /RSK-\d+ Unsupported software on practice computers/ }).waitFor();
  await checkAccessibility(page);

  // A review that changes the scores without saying why is refused, with the field named; the
  // review form is folded until chosen, and open again with its problem.
  assert.equal(await page.getByLabel('Residual likelihood now').isVisible(), false);
  await unfold(page, 'Review this risk');
  await page.getByLabel('Residual likelihood now').selectOption('2');
  await page.getByRole('button', { name: 'Record the review' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Say why the scores changed/);
  await checkAccessibility(page);
  await page.getByLabel('Residual likelihood now').selectOption('2');
  await page.getByLabel(/What the review looked at/).fill('Windows 10 machines replaced; one left for the ECG software');
  await page.getByRole('button', { name: 'Record the review' }).click();
  await page.getByRole('heading', { name: 'Reviews' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Windows 10 machines replaced/);
  assert.match(await page.locator('main').innerText(), /reviewed the risk/, 'the history shows it');
  await app.screenshot(page, 'risk');

  await page.goto(page.url().replace(/\/risks\/.*/, '/risks/matrix'));
  await page.getByRole('heading', { name: 'Risk matrix' }).waitFor();
  await checkAccessibility(page);

  // The quarter's threats-and-vulnerabilities report, with the new risk in it.
  await page.goto(page.url().replace(/\/risks\/.*/, '/risks'));
  await page.getByRole('link', { name: 'Quarterly threats and vulnerabilities reports' }).click();
  await page.getByRole('heading', { name: 'Quarterly threats and vulnerabilities reports' }).waitFor();
  await checkAccessibility(page);
  await page.getByRole('button', { name: 'Draft the report' }).click();
  await page.getByRole('heading', { name: /Threats and vulnerabilities report, Q\d \d{4}/ }).waitFor();
  const report = await page.locator('main').innerText();
  assert.match(report, /New risks this quarter[\s\S]*Unsupported software on practice computers/);
  assert.match(report, /Top risks by residual score/);
  await checkAccessibility(page);
  await app.screenshot(page, 'risk-report');
  const pdf = await page.request.get(await page.getByRole('link', { name: 'Download as PDF' }).getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  const body = await pdf.body();
  assert.equal(body.subarray(0, 5).toString(), '%PDF-');
  writeFileSync(new URL('../test-results/risk-report.pdf', import.meta.url), body);
});

test('the SIRO accepts a risk above the appetite, which the practice manager cannot', async () => {
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await openPractice(pm, 'Riverside Medical Centre');
  await pm.getByRole('link', { name: 'Information risks' }).click();
  await pm.getByRole('link', { name: /Phishing email leads to a stolen password/ }).first().click();
  await pm.getByRole('heading', { name: /Phishing email/ }).waitFor();
  const riskUrl = pm.url();
  const until = new Date(Date.now() + 60 * 86400000).toISOString().slice(0, 10);
  // No form she cannot submit: the page says who can accept it instead.
  assert.equal(await pm.getByRole('button', { name: 'Accept the risk', includeHidden: true }).count(), 0);
  assert.match(await pm.locator('main').innerText(), /only the SIRO can accept it\. Treat it further, or ask the SIRO/);

  const siro = await app.newPage();
  await signIn(siro, 'dr.hughes');
  await siro.goto(riskUrl);
  await siro.getByRole('heading', { name: /Phishing email/ }).waitFor();
  await unfold(siro, 'Accept the risk as it stands');
  await siro.getByLabel('Why the risk is accepted').fill('Two-factor arrives with the NHSmail upgrade');
  await siro.getByLabel('Accepted until').fill(until);
  await siro.getByRole('button', { name: 'Accept the risk' }).click();
  await siro.getByRole('heading', { name: 'Acceptance' }).waitFor();
  assert.match(await siro.locator('main').innerText(), /Accepted by Dr Eleanor Hughes[\s\S]*SIRO sign-off/);
  await checkAccessibility(siro);
});

test("provider staff see every practice's risks and audit trail, and add a threat to the library", async () => {
  const page = await app.newPage();
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Risks across practices' }).click();
  await page.getByRole('heading', { name: 'Information risks across practices' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /Hillside Surgery[\s\S]*Riverside Medical Centre/);
  await checkAccessibility(page);
  // A threat of the provider's own, with a mistake first.
  await page.getByLabel('Title').fill('USB sticks from conferences');
  await page.getByRole('button', { name: 'Add to the library' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Enter the threat: what could happen/);
  await checkAccessibility(page);
  await page.getByLabel('Threat: what could happen').fill('Malware on a free memory stick');
  await page.getByLabel('Vulnerability: the weakness it exploits').fill('Autorun not blocked');
  await page.getByLabel('Category').selectOption({ label: 'Technology' });
  await page.getByLabel('Integrity').check();
  await page.getByLabel('Suggested likelihood (5 × 5)').selectOption('2');
  await page.getByLabel('Suggested impact (5 × 5)').selectOption('4');
  await page.getByRole('button', { name: 'Add to the library' }).click();
  await page.getByRole('heading', { name: "The provider's threat library" }).waitFor();
  assert.match(await page.locator('main').innerText(), /USB sticks from conferences/);
  await app.screenshot(page, 'provider-risks');

  await page.getByRole('link', { name: 'Audit across practices' }).click();
  await page.getByRole('heading', { name: 'Audit trail across practices' }).waitFor();
  assert.match(await page.locator('tbody').innerText(), /added a threat to the provider's library/);
  await checkAccessibility(page);
});
