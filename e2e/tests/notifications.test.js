// Notifications as a practice manager meets them: the header counts what needs their
// attention, the list says what and where, and opening one goes to the thing to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('the practice manager opens a notification about a starter waiting for approval', async () => {
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  // The scheduler raises notices as the server starts; wait for the header to count them.
  const counted = pm.locator('.header-tools a[href="/notifications"] .count');
  for (let i = 0; i < 40 && (await counted.count()) === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    await pm.reload();
  }
  assert.ok(parseInt(await counted.first().innerText(), 10) >= 1, 'the header counts unread notifications');
  await pm.locator('.header-tools a[href="/notifications"]').click();
  await pm.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
  await checkAccessibility(pm);
  await app.screenshot(pm, 'notifications');
  const waiting = pm.getByRole('button', { name: /starter or mover requests? waiting for your approval/ });
  await waiting.click();
  await pm.getByRole('heading', { name: 'Starters and movers', level: 1 }).waitFor();
  assert.match(pm.url(), /\/practices\/[0-9a-f-]+\/requests$/);
  await pm.goto(new URL('/notifications', pm.url()).href);
  const item = pm.locator('.notice-list li', { hasText: 'waiting for your approval' });
  assert.equal(await item.locator('.tag').count(), 0, 'an opened notification is no longer new');
});

test('a practice manager puts their due dates in their calendar, and can stop it', async () => {
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await pm.goto(new URL('/notifications', pm.url()).href);
  await pm.getByRole('link', { name: 'Your due dates in your calendar' }).click();
  await pm.getByRole('heading', { name: 'Your due dates in your calendar', level: 1 }).waitFor();
  await checkAccessibility(pm);
  await pm.getByRole('button', { name: 'Make my calendar address' }).click();
  const address = await pm.locator('code.secret').innerText();
  assert.match(address, /^http:\/\/127\.0\.0\.1:\d+\/calendar\/[0-9a-f]{64}\.ics$/);
  await checkAccessibility(pm);
  await app.screenshot(pm, 'calendar-address');
  // What a calendar app fetches, without signing in.
  const feed = await fetch(address);
  assert.equal(feed.status, 200);
  const ics = await feed.text();
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /SUMMARY:DSPT submission deadline/);
  await pm.getByRole('button', { name: 'Stop my calendar address' }).click();
  await pm.getByRole('button', { name: 'Make my calendar address' }).waitFor();
  assert.equal((await fetch(address)).status, 404);
});

test('the provider sees what is waiting in every practice', async () => {
  const page = await app.newPage();
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Notifications across practices' }).click();
  await page.getByRole('heading', { name: 'Notifications across practices', level: 1 }).waitFor();
  await checkAccessibility(page);
  const rows = await page.locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 3, 'the three demo practices');
  assert.ok(rows.some((r) => r.startsWith('Riverside Medical Centre')));
  await app.screenshot(page, 'provider-notices');
});

test('a practice manager chooses which notifications come by email, and sees what was sent', async () => {
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await pm.goto(new URL('/notifications', pm.url()).href);
  await pm.getByRole('link', { name: 'Which notifications come by email' }).click();
  await pm.getByRole('heading', { name: 'Notifications by email', level: 1 }).waitFor();
  await checkAccessibility(pm);
  const leavers = pm.getByRole('group', { name: 'Leavers whose access ends today or tomorrow' });
  assert.ok(await leavers.getByLabel('At once').isChecked(), 'what cannot wait comes at once by default');
  await leavers.getByLabel('In the daily digest').check();
  await pm.getByRole('group', { name: 'Information assets due a review' }).getByLabel('Not by email').check();
  await pm.getByRole('button', { name: 'Save my choices' }).click();
  await pm.getByText('Your choices are saved.').waitFor();
  assert.ok(await pm.getByRole('group', { name: 'Leavers whose access ends today or tomorrow' }).getByLabel('In the daily digest').isChecked());
  await app.screenshot(pm, 'email-choices');

  // The delivery log, from the practice's home page: emails wait there while no mail server is set.
  await pm.goto(new URL('/notifications', pm.url()).href);
  await pm.getByRole('button', { name: /waiting for your approval/ }).click();
  await pm.waitForURL(/\/requests$/);
  await pm.goto(pm.url().replace(/\/requests$/, ''));
  await pm.getByRole('link', { name: 'Emails sent' }).first().click();
  await pm.getByRole('heading', { name: /^Emails sent/, level: 1 }).waitFor();
  await checkAccessibility(pm);
  await pm.getByText('No mail server is set').waitFor();
  await app.screenshot(pm, 'email-log');
});
