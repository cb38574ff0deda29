// The foundation, as a person meets it: sign in, find your practice, see its staff, and the
// error pages, each checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, openPractice } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('the home page sends a visitor to sign in, and the sign-in page is accessible', async () => {
  const page = await app.newPage();
  await page.goto('/');
  assert.match(page.url(), /\/sign-in$/);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Sign in' }).waitFor());
  await checkAccessibility(page);
  await app.screenshot(page, 'sign-in');
});

test('a wrong password is refused with an error summary that links to the field', async () => {
  const page = await app.newPage();
  await signIn(page, 'r.ahmed', 'not-the-password');
  const summary = page.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /username or password is not right/);
  assert.equal(await summary.getByRole('link').getAttribute('href'), '#login');
  await checkAccessibility(page);
});

test('a practice manager signs in, opens the practice and its staff list', async () => {
  const page = await app.newPage();
  await signIn(page, 'r.ahmed');
  // On the staff of one practice only, she goes straight to it.
  await page.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();
  assert.equal(new URL(page.url()).pathname.startsWith('/practices/'), true);
  await checkAccessibility(page);
  await app.screenshot(page, 'home');

  await page.getByRole('link', { name: 'Staff', exact: true }).first().click();
  await page.getByRole('heading', { name: 'Staff and access' }).waitFor();
  const rows = page.locator('tbody tr');
  assert.ok(await rows.count() >= 8, 'Riverside has its demo staff');
  assert.match(await page.locator('tbody').innerText(), /Dr Eleanor Hughes[\s\S]*Caldicott Guardian/);
  // Hillside's staff are not on Riverside's list.
  assert.doesNotMatch(await page.locator('tbody').innerText(), /Karen Mills/);
  await checkAccessibility(page);
  await app.screenshot(page, 'staff');

  await page.getByRole('link', { name: 'Dr Eleanor Hughes' }).click();
  await page.getByRole('heading', { name: 'Dr Eleanor Hughes' }).waitFor();
  assert.match(await page.locator('main').innerText(), /SIRO/);
  await checkAccessibility(page);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
  await page.goto('/');
  assert.match(page.url(), /\/sign-in$/, 'signed out means signed out');
});

test('a locum in two practices switches between them', async () => {
  const page = await app.newPage();
  await signIn(page, 'dr.locum');
  await openPractice(page, 'Hillside Surgery');
  await page.getByLabel('Practice').selectOption({ label: 'Riverside Medical Centre' });
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();
  // Staff do not see the staff list.
  assert.equal(await page.getByRole('link', { name: 'Staff', exact: true }).count(), 0);
  await checkAccessibility(page);
});

test('another practice\'s pages answer 404, and a forbidden page 403, both accessible', async () => {
  const page = await app.newPage();
  await signIn(page, 'k.mills'); // Hillside's practice manager
  const riverside = await (await page.request.get('/api/v1/practices')).json();
  assert.deepEqual(riverside.items.map((p) => p.name), ['Hillside Surgery']);

  // Find Riverside's id as the provider administrator would see it, then try it as k.mills.
  const admin = await app.newPage();
  await signIn(admin, 'admin');
  const all = await (await admin.request.get('/api/v1/practices')).json();
  const riversideId = all.items.find((p) => p.name === 'Riverside Medical Centre').id;

  const res = await page.goto(`/practices/${riversideId}/people`);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  assert.doesNotMatch(await page.content(), /Rukhsana/);
  await checkAccessibility(page);
  await app.screenshot(page, 'not-found');

  const staff = await app.newPage();
  await signIn(staff, 'b.wright'); // Hillside receptionist
  const hillsideId = all.items.find((p) => p.name === 'Hillside Surgery').id;
  const forbidden = await staff.goto(`/practices/${hillsideId}/people`);
  assert.equal(forbidden.status(), 403);
  await staff.getByRole('heading', { name: 'You do not have permission to see this' }).waitFor();
  await checkAccessibility(staff);
});

test('the API documentation page and the unknown-page error are accessible', async () => {
  const page = await app.newPage();
  await page.goto('/api/docs');
  await page.getByRole('heading', { name: 'Custodian API' }).waitFor();
  await checkAccessibility(page);
  const res = await page.goto('/no/such/page');
  assert.equal(res.status(), 404);
  await checkAccessibility(page);
});
