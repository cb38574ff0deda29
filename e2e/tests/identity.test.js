// The User Authorisation Process as the people do it: a line manager asks for a new starter,
// the practice manager approves and reads out a one-time password, the starter signs in for the
// first time, later forgets their password and is reset after an identity check, and leaves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, DEMO_ANSWER, openPractice } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

function daysFromToday(n) {
  const d = new Date(Date.now() + n * 86_400_000);
  return d.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
}

async function otpOnPage(page) {
  const code = await page.locator('.otp code').innerText();
  assert.match(code, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  return code;
}

test('starter, first sign-in, reset after an identity check, and leaver', async () => {
  // 1. The line manager asks for access for Grace, who started last week.
  const lm = await app.newPage();
  await signIn(lm, 'j.green');
  await openPractice(lm);
  await lm.getByRole('link', { name: 'Starters and movers' }).click();
  await checkAccessibility(lm);
  await lm.getByRole('link', { name: 'Request access for a new starter' }).click();
  await checkAccessibility(lm);
  await lm.getByRole('button', { name: 'Send for approval' }).click();
  await lm.getByRole('alert').waitFor();
  assert.match(await lm.getByRole('alert').innerText(), /Enter a username/);
  await checkAccessibility(lm);
  await lm.getByLabel('Full name').fill('Grace Hopper');
  await lm.getByLabel('Username', { exact: true }).fill('g.hopper');
  await lm.getByLabel('Job title').fill('Receptionist');
  await lm.getByLabel('Start date').fill(daysFromToday(-7));
  await lm.getByLabel('EMIS Web').check();
  await lm.getByLabel('NHSmail').check();
  await lm.getByRole('button', { name: 'Send for approval' }).click();
  await lm.getByRole('heading', { name: /STR-\d{4}-\d{4}: Grace Hopper/ }).waitFor();
  assert.equal(await lm.getByRole('button', { name: 'Approve' }).count(), 0, 'a line manager cannot approve');
  const requestUrl = lm.url();

  // 2. The practice manager approves and is shown the one-time password once.
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await pm.goto(requestUrl);
  await checkAccessibility(pm);
  await pm.getByRole('button', { name: 'Approve' }).click();
  await pm.getByRole('heading', { name: /approved/ }).waitFor();
  await checkAccessibility(pm);
  await app.screenshot(pm, 'otp-issued');
  const otp = await otpOnPage(pm);
  // The IT lead creates her EMIS Web login and marks the task done.
  await pm.goto(requestUrl.replace(/\/requests\/.*/, '/tasks'));
  await checkAccessibility(pm);
  await pm.getByLabel(/Note for Create Grace Hopper.s login in EMIS Web/).fill('Login created');
  await pm.getByRole('button', { name: /Mark done\s*:\s*Create Grace Hopper.s login in EMIS Web/ }).click();
  await pm.getByRole('heading', { name: 'Logins in other systems' }).waitFor();
  assert.match(await pm.locator('main').innerText(), /Done[\s\S]*Create Grace Hopper's login in EMIS Web/);

  // 3. Grace signs in for the first time: new password, then security questions.
  const grace = await app.newPage();
  await signIn(grace, 'g.hopper', otp);
  await grace.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await checkAccessibility(grace);
  await grace.getByLabel('New password', { exact: true }).fill('password1234');
  await grace.getByLabel('New password again').fill('password1234');
  await grace.getByRole('button', { name: 'Save password' }).click();
  await grace.getByRole('alert').waitFor();
  assert.match(await grace.getByRole('alert').innerText(), /too easy to guess/);
  await checkAccessibility(grace);
  await grace.getByLabel('New password', { exact: true }).fill('marble teapot orchard swim');
  await grace.getByLabel('New password again').fill('marble teapot orchard swim');
  await grace.getByRole('button', { name: 'Save password' }).click();
  await grace.getByRole('heading', { name: 'Set your security questions' }).waitFor();
  await checkAccessibility(grace);
  const questions = ['What was the name of your first school?', 'What was the make of your first car or bicycle?', 'In which town or city did your parents meet?'];
  for (let i = 0; i < 3; i++) {
    await grace.locator(`#question_${i + 1}`).selectOption(questions[i]);
    await grace.locator(`#answer_${i + 1}`).fill(['Elm Street Primary', 'Raleigh', 'Whitby'][i]);
  }
  await grace.getByRole('button', { name: 'Save security questions' }).click();
  // In one practice, she goes straight to it.
  await grace.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();
  await checkAccessibility(grace);

  // 4. Grace forgets her password and calls. The practice manager checks her answers.
  const practiceUrl = requestUrl.replace(/\/requests\/.*/, '');
  await pm.goto(`${practiceUrl}/people`);
  await pm.getByRole('link', { name: 'Grace Hopper' }).click();
  await pm.getByRole('link', { name: 'Verify identity and reset password' }).click();
  await checkAccessibility(pm);
  await pm.getByLabel(questions[0]).fill('elm street primary');
  await pm.getByLabel(questions[1]).fill('Peugeot');
  await pm.getByLabel(questions[2]).fill('whitby');
  await pm.getByRole('button', { name: 'Check answers' }).click();
  await pm.getByRole('alert').waitFor();
  assert.match(await pm.getByRole('alert').innerText(), /do not match.*2 attempts remain/s);
  await checkAccessibility(pm);
  await pm.getByLabel(questions[0]).fill('Elm Street Primary');
  await pm.getByLabel(questions[1]).fill('RALEIGH');
  await pm.getByLabel(questions[2]).fill('Whitby.');
  await pm.getByRole('button', { name: 'Check answers' }).click();
  await pm.getByRole('heading', { name: 'Identity confirmed' }).waitFor();
  const otp2 = await otpOnPage(pm);
  // Her open session ended at the reset.
  await grace.reload();
  assert.match(grace.url(), /\/sign-in/);
  await signIn(grace, 'g.hopper', otp2);
  await grace.getByLabel('New password', { exact: true }).fill('marble teapot orchard swim');
  await grace.getByLabel('New password again').fill('marble teapot orchard swim');
  await grace.getByRole('button', { name: 'Save password' }).click();
  await grace.getByRole('alert').waitFor();
  assert.match(await grace.getByRole('alert').innerText(), /not used for your last 5 passwords/);
  await grace.getByLabel('New password', { exact: true }).fill('lantern pebble cobalt drum');
  await grace.getByLabel('New password again').fill('lantern pebble cobalt drum');
  await grace.getByRole('button', { name: 'Save password' }).click();
  await grace.getByRole('heading', { name: 'Riverside Medical Centre', level: 1 }).waitFor();

  // 5. The line manager records Grace as a leaver as of yesterday: it takes effect at once.
  await lm.goto(pm.url().replace(/\/verify-identity$/, ''));
  await lm.getByRole('link', { name: 'Record as a leaver' }).click();
  await checkAccessibility(lm);
  await lm.getByLabel('Exit date (last working day)').fill(daysFromToday(-30));
  await lm.getByLabel('Reason for leaving').fill('Changed her mind');
  await lm.getByRole('button', { name: 'Record leaver' }).click();
  await lm.getByRole('alert').waitFor();
  assert.match(await lm.getByRole('alert').innerText(), /cannot be before the person started/);
  await lm.getByLabel('Exit date (last working day)').fill(daysFromToday(-1));
  await lm.getByRole('button', { name: 'Record leaver' }).click();
  await lm.getByRole('heading', { name: 'Leavers' }).waitFor();
  assert.match(await lm.locator('main').innerText(), /Grace Hopper[\s\S]*done/);
  await checkAccessibility(lm);
  await app.screenshot(lm, 'leavers');

  // Grace is signed out and cannot sign in again.
  await grace.reload();
  assert.match(grace.url(), /\/sign-in/);
  await signIn(grace, 'g.hopper', 'lantern pebble cobalt drum');
  assert.match(await grace.getByRole('alert').innerText(), /username or password is not right/);

  // The practice manager sees a task to remove her logins.
  await pm.goto(`${practiceUrl}/tasks`);
  await checkAccessibility(pm);
  assert.match(await pm.locator('main').innerText(), /Remove Grace Hopper's login in EMIS Web/);
});

test('a provider administrator signs in with an authenticator code and sees the practice pages', async () => {
  const page = await app.newPage();
  await signIn(page, 'admin');
  await page.getByRole('heading', { name: 'Welcome, Alex Morgan' }).waitFor();
  await page.getByRole('link', { name: 'All practices' }).click();
  await openPractice(page, 'Hillside Surgery');
  for (const [link, heading] of [
    ['Who has access', 'Who has access'],
    ['Account security', 'Account security'],
    ['System administrators', 'System administrators'],
    ['Settings', 'Practice settings'],
    ['Systems', "The practice's systems"],
    ['Audit trail', 'Audit trail'],
  ]) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await checkAccessibility(page);
    await app.screenshot(page, heading.toLowerCase().replace(/[^a-z]+/g, '-'));
    await page.goBack();
  }
});

test('a person sets up two-factor authentication from their account page', async () => {
  const page = await app.newPage();
  await signIn(page, 'b.wright');
  await page.goto('/account');
  await checkAccessibility(page);
  await page.getByRole('link', { name: 'Turn on two-factor authentication' }).click();
  await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
  await checkAccessibility(page);
  await app.screenshot(page, 'mfa-enrol');
  const key = (await page.locator('code.secret').innerText()).replace(/\s+/g, '');
  const { totp } = await import('../lib/harness.js');
  await page.getByLabel('Your password').fill('demo-custodian-2026');
  await page.getByLabel('Code from the app').fill(totp(key, Math.floor(Date.now() / 30_000)));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
  assert.equal(await page.locator('.codes li').count(), 10);
  await checkAccessibility(page);
  void DEMO_ANSWER;
});

test('an auditor reads the audit trail and an event with its proof', async () => {
  const page = await app.newPage();
  await signIn(page, 'auditor');
  await page.getByRole('link', { name: 'All practices' }).click();
  await openPractice(page, 'Riverside Medical Centre');
  await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
  await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
  await page.getByLabel('Action').fill('member.');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByRole('heading', { name: 'Audit trail', level: 1 }).waitFor();
  assert.match(await page.locator('tbody').innerText(), /added .+ to the staff/);
  await checkAccessibility(page);
  await app.screenshot(page, 'audit-trail');
  await page.locator('tbody tr a').first().click();
  await page.getByRole('heading', { name: /Audit event \d+/ }).waitFor();
  assert.match(await page.locator('main').innerText(), /inclusion proof against the signed checkpoint of size \d+/);
  await checkAccessibility(page);
  await app.screenshot(page, 'audit-event');
  await page.goto(page.url().replace(/\/audit\/\d+$/, '/audit/report'));
  await page.getByRole('heading', { name: 'Inappropriate-use report' }).waitFor();
  await checkAccessibility(page);
  await app.screenshot(page, 'inappropriate-use');
  // A date typed the English way filters; a day that does not exist is named, not a crash.
  await page.goto(page.url().replace(/\/audit\/report$/, '/audit?from=01/12/2026'));
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.equal(await page.getByLabel('From').inputValue(), '2026-12-01');
  await page.goto(page.url().replace(/\/audit\?.*$/, '/audit?from=31/02/2026'));
  assert.match(await page.getByRole('alert').innerText(), /from date as a real date/);
  await checkAccessibility(page);
});
