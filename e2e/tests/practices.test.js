// A practice's first day: the provider administrator brings a practice in with its first
// practice manager, who signs in with the one-time password and finds a setup checklist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, openPractice } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('the provider administrator adds a practice with its first manager, who sets it up', async () => {
  const admin = await app.newPage();
  await signIn(admin, 'admin');
  await admin.getByRole('link', { name: 'All practices' }).click();
  await admin.getByRole('heading', { name: 'Add a practice' }).waitFor();
  await checkAccessibility(admin);

  // A bad ODS code and email are named, and what was typed stays.
  await admin.getByLabel('Practice name').fill('Willow Bank Surgery');
  await admin.getByLabel('ODS code').fill('W1234');
  await admin.getByLabel('Full name').fill('Priya Natarajan');
  await admin.getByLabel('Email address').fill('priya.natarajan@nhs');
  await admin.getByLabel('Phone number (optional)').fill('01632 960 123');
  await admin.getByRole('button', { name: 'Add practice' }).click();
  const summary = admin.getByRole('alert');
  await summary.waitFor();
  assert.match(await summary.innerText(), /letter followed by 5 digits/);
  assert.match(await summary.innerText(), /email address in the correct format/);
  assert.equal(await admin.getByLabel('Full name').inputValue(), 'Priya Natarajan');
  await checkAccessibility(admin);
  await app.screenshot(admin, 'practice-error');

  await admin.getByLabel('ODS code').fill('W12345');
  await admin.getByLabel('Email address').fill('priya.natarajan@nhs.net');
  await admin.getByRole('button', { name: 'Add practice' }).click();
  await admin.getByRole('heading', { name: 'Willow Bank Surgery added' }).waitFor();
  assert.match(await admin.locator('main').innerText(), /username p\.natarajan/);
  assert.match(await admin.locator('main').innerText(), /01632 960 123/);
  const otp = await admin.locator('.otp code').innerText();
  await checkAccessibility(admin);
  await app.screenshot(admin, 'practice-added');

  // The manager signs in with it, chooses a password and security questions.
  const pm = await app.newPage();
  await signIn(pm, 'p.natarajan', otp);
  await pm.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await pm.getByLabel('New password', { exact: true }).fill('willow bank kettle morning');
  await pm.getByLabel('New password again').fill('willow bank kettle morning');
  await pm.getByRole('button', { name: 'Save password' }).click();
  await pm.getByRole('heading', { name: 'Set your security questions' }).waitFor();
  const questions = ['What was the name of your first school?', 'What was the make of your first car or bicycle?', 'In which town or city did your parents meet?'];
  for (let i = 0; i < 3; i++) {
    await pm.locator(`#question_${i + 1}`).selectOption(questions[i]);
    await pm.locator(`#answer_${i + 1}`).fill(['Hill Road Infants', 'Dawes', 'Leeds'][i]);
  }
  await pm.getByRole('button', { name: 'Save security questions' }).click();
  // On the staff of one practice, she goes straight to it.
  await pm.getByRole('heading', { name: 'Willow Bank Surgery', level: 1 }).waitFor();

  // Their practice's home is a setup checklist, nothing done yet.
  const setup = pm.getByRole('region', { name: 'Set up Willow Bank Surgery' });
  await setup.waitFor();
  assert.match(await setup.innerText(), /0 of 4 done/);
  await checkAccessibility(pm);
  await app.screenshot(pm, 'practice-setup');

  // The first step done, the list says so.
  await setup.getByRole('link', { name: 'List the systems your staff log in to' }).click();
  await pm.getByLabel('System name').fill('EMIS Web');
  await pm.getByRole('button', { name: 'Add system' }).click();
  await pm.getByRole('listitem').filter({ hasText: 'EMIS Web' }).waitFor();
  await pm.goto(pm.url().replace(/\/systems.*$/, ''));
  assert.match(await pm.getByRole('region', { name: 'Set up Willow Bank Surgery' }).innerText(), /1 of 4 done/);
  assert.equal(await pm.getByRole('link', { name: 'List the systems your staff log in to' }).count(), 0);

  // An empty register says what to do first.
  await pm.getByRole('link', { name: 'Add your first information assets' }).click();
  await pm.goto(pm.url().replace(/\/assets\/new$/, '/assets'));
  assert.match(await pm.locator('main').innerText(), /The register is empty\. Start with the systems and records that hold personal data/);
  assert.equal(await pm.getByRole('link', { name: 'add the first asset' }).count(), 1);
  await checkAccessibility(pm);
  await pm.goto(pm.url().replace(/\/assets$/, '/risks'));
  assert.match(await pm.locator('main').innerText(), /The register is empty\. The threat library holds the risks most practices face/);
  await checkAccessibility(pm);
});

test('a practice manager whose practice is set up sees no checklist', async () => {
  const page = await app.newPage();
  await signIn(page, 'r.ahmed');
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();
  assert.equal(await page.getByRole('region', { name: /^Set up/ }).count(), 0);
});

test('the provider imports 100 practices from a spreadsheet, with the two bad rows named', async () => {
  const admin = await app.newPage();
  await signIn(admin, 'admin');
  await admin.goto(`${app.url}/practices`);
  // The practices to come start from the provider's defaults: a 4×4 risk matrix.
  await admin.getByRole('link', { name: 'defaults for new practices' }).click();
  await admin.getByRole('heading', { name: 'Defaults for new practices' }).waitFor();
  await admin.getByLabel('Risk matrix').selectOption('4x4');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.getByText('Defaults saved.').waitFor();
  await checkAccessibility(admin);
  await admin.goto(`${app.url}/practices`);
  await admin.getByRole('link', { name: 'import practices from a spreadsheet' }).click();
  await admin.getByRole('heading', { name: 'Import practices from a spreadsheet' }).waitFor();
  await checkAccessibility(admin);
  // 100 practices; row 12 has a malformed ODS code, row 51 repeats row 50's.
  let csv = 'name,ods_code,manager_name,manager_email,manager_phone\n';
  for (let i = 1; i <= 100; i++) {
    const code = i === 11 ? 'Q1234' : i === 50 ? 'Q00049' : `Q${String(i).padStart(5, '0')}`;
    csv += `Practice ${i} Surgery,${code},Manager Number${i},manager${i}@nhs.net,01632 960${String(i).padStart(3, '0')}\n`;
  }
  await admin.getByLabel('CSV file').setInputFiles({ name: 'practices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await admin.getByRole('button', { name: 'Check the file' }).click();
  await admin.getByRole('heading', { name: 'Import of practices.csv' }).waitFor();
  const text = await admin.locator('main').innerText();
  assert.match(text, /Rows\s+100/);
  assert.match(text, /Ready to import\s+98/);
  assert.match(text, /Rows with problems\s+2/);
  assert.match(text, /12\s+ods_code\s+ODS code must be a letter followed by 5 digits/);
  assert.match(text, /51\s+ods_code\s+ODS code Q00049 is also on row 50/);
  await checkAccessibility(admin);
  await app.screenshot(admin, 'practices-import-check');

  await admin.getByRole('button', { name: 'Import the 98 valid rows only' }).click();
  await admin.getByRole('heading', { name: '98 practices added' }).waitFor();
  const rows = admin.locator('tbody tr');
  assert.equal(await rows.count(), 98);
  const first = await rows.first().innerText();
  assert.match(first, /Practice 1 Surgery\s+Q00001\s+Manager Number1\s+m\.number1/);
  await checkAccessibility(admin);
  await app.screenshot(admin, 'practices-imported');

  // A manager from the list signs in with the one-time password read to them.
  const otp = await rows.first().locator('code').innerText();
  const pm = await app.newPage();
  await signIn(pm, 'm.number1', otp);
  await pm.getByRole('heading', { name: 'Choose a new password' }).waitFor();

  // The provider's list now holds them.
  await admin.getByRole('link', { name: 'Done' }).click();
  await admin.getByRole('heading', { name: 'Practices', level: 1 }).waitFor();
  // Which of them are through their first day, at a glance.
  assert.match(await admin.locator('tbody').innerText(), /Practice 1 Surgery\s+Q00001\s+\S.*\s+0 of 4 steps done/);
  // Each starts from the provider's defaults.
  await admin.getByRole('link', { name: 'Practice 1 Surgery', exact: true }).click();
  await admin.getByRole('heading', { name: 'Practice 1 Surgery', level: 1 }).waitFor();
  await admin.goto(admin.url() + '/settings');
  assert.equal(await admin.getByLabel('Risk matrix').inputValue(), '4x4');
});
