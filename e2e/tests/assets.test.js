// The information asset register as an IAO uses it: add an asset, a data flow and who has
// access, and see the register's gaps. Every page checked with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, openPractice, unfold } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('an IAO adds an asset, a data flow and an access justification', async () => {
  const page = await app.newPage();
  await signIn(page, 'm.kowalski');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Information assets' }).click();
  await page.getByRole('heading', { name: 'Information asset register' }).waitFor();
  assert.match(await page.locator('tbody').innerText(), /EMIS Web patient records/);
  await checkAccessibility(page);
  await app.screenshot(page, 'asset-register');

  await page.getByRole('link', { name: 'Add an asset' }).click();
  await page.getByRole('heading', { name: 'Add an information asset' }).waitFor();
  await checkAccessibility(page);
  await page.getByRole('button', { name: 'Save asset' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Enter the asset's name/);
  await checkAccessibility(page);
  await page.getByLabel('Name', { exact: true }).fill('Appointment book');
  await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Appointment data' });
  await page.getByLabel('Format', { exact: true }).selectOption({ label: 'Electronic' });
  await page.getByLabel('How many people\'s records it holds').selectOption({ label: '10,000 to 100,000' });
  await page.getByLabel('Confidentiality', { exact: true }).selectOption('3');
  await page.getByLabel('Why that confidentiality rating').fill('Who comes to the surgery and when');
  await page.getByRole('button', { name: 'Save asset' }).click();
  await page.getByRole('heading', { name: 'Appointment book', level: 1 }).waitFor();
  await checkAccessibility(page);

  // The page opens on the asset's summary; its forms are folded until wanted.
  await page.getByRole('navigation', { name: 'On this page' }).waitFor();
  assert.equal(await page.getByLabel('What data').isVisible(), false);
  await unfold(page, 'Add a data flow out of this asset');
  await page.getByLabel('Or to an external party').fill('Out-of-hours service');
  await page.getByLabel('What data').fill('Booked appointments');
  await page.getByLabel('Why', { exact: true }).fill('Evening clinics');
  await page.getByLabel('How it moves').selectOption({ label: 'Secure portal' });
  await page.getByLabel('Lifecycle stage').selectOption({ label: 'Share or transfer' });
  await page.getByLabel('Encrypted in transit').check();
  await page.getByRole('button', { name: 'Add flow' }).click();
  await page.getByRole('heading', { name: 'Appointment book', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /Out-of-hours service[\s\S]*No data-sharing agreement/);

  await page.getByText('Record who has access').click();
  await page.getByLabel('A role').selectOption({ label: 'Staff' });
  await page.getByLabel('Level').selectOption('read');
  await page.getByLabel('Business reason').fill('Reception books appointments');
  await page.getByRole('button', { name: 'Add access' }).click();
  await page.getByRole('heading', { name: 'Appointment book', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /Everyone with the role Staff[\s\S]*Reception books appointments/);
  assert.match(await page.locator('main').innerText(), /gave access to Appointment book/, 'the history shows it');
  await checkAccessibility(page);
  await app.screenshot(page, 'asset');

  await page.goto(page.url().replace(/\/assets\/.*/, '/assets/quality'));
  await page.getByRole('heading', { name: 'Register data quality' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Appointment book[\s\S]*No integrity, availability rating/);
  await checkAccessibility(page);
});

test('the IAO signs off an access review, removing what is no longer needed', async () => {
  const page = await app.newPage();
  await signIn(page, 'm.kowalski');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Information assets' }).click();
  await page.getByRole('link', { name: 'CCTV recordings' }).click();
  await page.getByRole('heading', { name: 'Review access' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Access has not been reviewed yet/);
  await page.getByLabel(/Everyone with the role Practice manager/).uncheck();
  await page.getByLabel('Review notes').fill('Annual review: the practice manager no longer needs CCTV');
  await page.getByRole('button', { name: 'Sign off the review' }).click();
  await page.getByRole('heading', { name: 'CCTV recordings', level: 1 }).waitFor();
  assert.match(await page.locator('main').innerText(), /Last access review: .* by Marek Kowalski: 0 confirmed, 1 removed/);
  assert.match(await page.locator('main').innerText(), /No access recorded/);
  await checkAccessibility(page);
});

test('the record of processing activities is built from the register', async () => {
  const page = await app.newPage();
  await signIn(page, 'm.kowalski');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Information assets' }).click();
  await page.getByRole('link', { name: 'Record of processing (ROPA)' }).click();
  await page.getByRole('heading', { name: 'Record of processing activities' }).waitFor();
  assert.match(await page.locator('main').innerText(), /EMIS Web patient records[\s\S]*Lawful basis/);
  await checkAccessibility(page);
  await app.screenshot(page, 'ropa');
  const csv = await page.request.get(page.url() + '?format=csv');
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^asset,purposes,data_subjects/);
});

test('the practice manager imports a spreadsheet register after checking it', async () => {
  const page = await app.newPage();
  await signIn(page, 'r.ahmed');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Information assets' }).click();
  await page.getByRole('link', { name: 'Import from a spreadsheet' }).click();
  await page.getByRole('heading', { name: 'Import assets from a spreadsheet' }).waitFor();
  await checkAccessibility(page);
  // No file chosen: the problem is named.
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Choose a CSV file to upload/);
  // A file over the limit: the browser hears the refusal, naming the limit.
  await page.getByLabel('CSV file').setInputFiles({ name: 'huge.csv', mimeType: 'text/csv', buffer: Buffer.alloc(12 * 1024 * 1024, 'x') });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('alert').filter({ hasText: 'larger than 10 MB' }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Split the register into smaller files/);
  const csv = 'name,asset_type,format,volume_band,iao_username,confidentiality,confidentiality_reason\n'
    + 'Practice website,system,electronic,none,m.kowalski,1,Public information only\n'
    + 'Fax machine,other_technology,paper,under_1000,nobody,,\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'register.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('heading', { name: 'Import of register.csv' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, /Rows with problems\s+1/);
  assert.match(text, /3\s+iao_username\s+No one on this practice's staff has the username “nobody”/);
  await checkAccessibility(page);
  await app.screenshot(page, 'asset-import-check');
  await page.getByRole('button', { name: 'Import the 1 valid row only' }).click();
  await page.getByText('1 asset on').waitFor();
  await page.getByRole('link', { name: 'Go to the register' }).click();
  await page.getByRole('heading', { name: 'Information asset register' }).waitFor();
  assert.match(await page.locator('tbody').innerText(), /Practice website/);
});
