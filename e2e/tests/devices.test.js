// The equipment register as the practice manager and a receptionist use it: a laptop added (a
// tag already in the register named at its field), issued to Sam who signed for it, seen on his
// record, then lost: one step marks it and reports the incident with the laptop linked. The
// manager's home lists the laptop to collect from the nurse who is leaving. Every page checked
// with axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, openPractice, unfold } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

test('a laptop is added, issued to Sam, seen on his record, and lost as an incident', async () => {
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await openPractice(pm);
  // The leaver's laptop is a task on her home.
  assert.match(await pm.getByRole('region', { name: 'Your tasks' }).innerText(),
    /Collect LT-003 \(laptop\) from Ada Nwosu, who is leaving/);
  await pm.getByRole('link', { name: 'Equipment', exact: true }).first().click();
  await pm.getByRole('heading', { name: 'Equipment register' }).waitFor();
  assert.match(await pm.locator('main').innerText(), /LT-002[\s\S]*Lost or stolen/);
  await checkAccessibility(pm);
  await app.screenshot(pm, 'equipment-register');

  await pm.getByRole('link', { name: 'Add a device' }).click();
  await pm.getByRole('heading', { name: 'Add a device' }).waitFor();
  await pm.getByLabel('Asset tag').fill('LT-001');
  await pm.getByLabel('Kind').selectOption('laptop');
  await pm.getByRole('button', { name: 'Add the device' }).click();
  await pm.getByRole('alert').waitFor();
  assert.match(await pm.getByRole('alert').innerText(), /Another device in the register has this asset tag/);
  await checkAccessibility(pm);
  await pm.getByLabel('Asset tag').fill('LT-010');
  await pm.getByLabel('Make and model').fill('Dell Latitude 7450');
  await pm.getByLabel('Serial number').fill('E2E-7450');
  await pm.getByRole('button', { name: 'Add the device' }).click();
  await pm.getByRole('heading', { name: 'LT-010: Laptop' }).waitFor();

  // Its steps are folded until chosen.
  assert.equal(await pm.getByLabel('Who it is issued to').isVisible(), false);
  await unfold(pm, 'Issue it to a member of staff');
  await pm.getByLabel('Who it is issued to').selectOption({ label: 'Sam Taylor' });
  await pm.getByLabel('They signed for it').check();
  await pm.getByRole('button', { name: 'Issue it to a member of staff' }).click();
  await pm.getByRole('heading', { name: 'LT-010: Laptop' }).waitFor();
  assert.match(await pm.locator('main').innerText(), /Issued to Sam Taylor, who signed for it/);
  await checkAccessibility(pm);
  await app.screenshot(pm, 'device');
  const devicePage = pm.url();

  // Sam sees it on his record.
  const sam = await app.newPage();
  await signIn(sam, 's.taylor');
  await openPractice(sam);
  await sam.getByRole('link', { name: 'Your record' }).click();
  await sam.getByRole('heading', { name: 'Equipment held' }).waitFor();
  assert.match(await sam.locator('main').innerText(), /LT-010 \(laptop, Dell Latitude 7450\), since/);
  await checkAccessibility(sam);

  // Lost: one step marks it and reports the incident, the laptop linked.
  await pm.goto(devicePage);
  await unfold(pm, 'Record it lost or stolen');
  await pm.getByRole('button', { name: 'Record it lost or stolen' }).click();
  await pm.getByRole('alert').waitFor();
  assert.match(await pm.getByRole('alert').innerText(), /Enter what happened/);
  await pm.getByLabel('What happened: where and when it was last seen').fill('Left in a taxi after a home visit this morning');
  await pm.getByLabel("Patients' information was on it").check();
  await pm.getByRole('button', { name: 'Record it lost or stolen' }).click();
  await pm.getByRole('heading', { name: /Incident INC-\d{4}-\d{4}/ }).waitFor();
  const incident = await pm.locator('main').innerText();
  assert.match(incident, /Thank you: your report is INC-/);
  assert.match(incident, /LT-010 \(Dell Latitude 7450\) lost or stolen\. Left in a taxi/);
  assert.match(await pm.locator('#involved ~ table').first().innerText(), /Device\s+LT-010 \(Dell Latitude 7450\)/);
  await checkAccessibility(pm);
  await pm.goto(devicePage);
  assert.match(await pm.locator('main').innerText(), /Lost or stolen/);
});

test('provider staff see every practice\'s equipment in figures', async () => {
  const admin = await app.newPage();
  await signIn(admin, 'admin');
  await admin.goto('/provider/devices');
  await admin.getByRole('heading', { name: 'Equipment across practices' }).waitFor();
  const text = await admin.locator('main').innerText();
  assert.match(text, /Riverside Medical Centre/);
  assert.match(text, /Lost or stolen/);
  await checkAccessibility(admin);
});

test('a phone is declared, its need approved by the line manager, checked with a failed item, and its risk reaches the SIRO; the leaver\'s removal is a task', async () => {
  // Sam declares his phone from his home.
  const sam = await app.newPage();
  await signIn(sam, 's.taylor');
  await openPractice(sam);
  await sam.getByRole('link', { name: 'Personal devices' }).first().click();
  await sam.getByRole('heading', { name: 'Personal devices' }).waitFor();
  await sam.getByRole('link', { name: 'Declare a personal device' }).click();
  await sam.getByRole('button', { name: 'Declare it' }).click();
  await sam.getByRole('alert').waitFor();
  assert.match(await sam.getByRole('alert').innerText(), /Enter the work it is for/);
  await checkAccessibility(sam);
  await sam.getByLabel('What kind of device?').selectOption('mobile');
  await sam.getByLabel('Make and model').fill('Pixel 8');
  await sam.getByLabel('The work it is for').fill('Two-factor codes for NHSmail at the front desk');
  await sam.getByRole('button', { name: 'Declare it' }).click();
  await sam.getByRole('heading', { name: /Pixel 8: Sam Taylor's phone or tablet/ }).waitFor();
  assert.match(await sam.locator('main').innerText(), /Waiting for the line manager/);
  const devicePage = sam.url();

  // The reception team leader approves the need.
  const lm = await app.newPage();
  await signIn(lm, 'j.green');
  await openPractice(lm);
  assert.match(await lm.getByRole('region', { name: 'Your tasks' }).innerText(),
    /1 personal device waiting for a decision on the business need/);
  await lm.goto(devicePage);
  await lm.getByLabel('No practice-issued device can do this work').check();
  await lm.getByLabel('The business need, or why it is refused').fill('The front desk has no practice phone for codes');
  await lm.getByRole('button', { name: 'Record the decision' }).click();
  await lm.getByRole('heading', { name: /Pixel 8/ }).waitFor();
  assert.match(await lm.locator('main').innerText(), /Waiting for its check/);
  await checkAccessibility(lm);

  // The practice manager checks it: one item fails, so it is approved with its risks.
  const pm = await app.newPage();
  await signIn(pm, 'r.ahmed');
  await pm.goto(devicePage);
  for (const item of ['No patient photos are kept outside approved software', 'The default PIN has been changed',
    'Two-factor authentication is on where available', 'Only apps from trusted stores are installed']) {
    await pm.getByRole('group', { name: item }).getByLabel('Pass').check();
  }
  await pm.getByRole('group', { name: 'Unused apps are removed' }).getByLabel('Fail').check();
  await pm.getByLabel('Approved', { exact: true }).check();
  await pm.getByRole('button', { name: 'Record the check' }).click();
  await pm.getByRole('alert').waitFor();
  assert.match(await pm.getByRole('alert').innerText(), /An item failed: approve it with its risks, or refuse it/);
  await checkAccessibility(pm);
  for (const item of ['No patient photos are kept outside approved software', 'The default PIN has been changed',
    'Two-factor authentication is on where available', 'Only apps from trusted stores are installed']) {
    await pm.getByRole('group', { name: item }).getByLabel('Pass').check();
  }
  await pm.getByRole('group', { name: 'Unused apps are removed' }).getByLabel('Fail').check();
  await pm.getByLabel('What you saw, and what a failed item means for the practice').fill('Games and a second messenger to remove');
  await pm.getByLabel('Approved with risks').check();
  await pm.getByRole('button', { name: 'Record the check' }).click();
  await pm.getByRole('heading', { name: /Pixel 8/ }).waitFor();
  const checked = await pm.locator('main').innerText();
  assert.match(checked, /Approved with risks/);
  assert.match(checked, /Approved until/);
  await app.screenshot(pm, 'personal-device');

  // The SIRO hears of it on their home, and the risk is in the register.
  const siro = await app.newPage();
  await signIn(siro, 'dr.hughes');
  await openPractice(siro);
  assert.match(await siro.getByRole('region', { name: 'Needs attention' }).innerText(),
    /1 personal device in use with risks its check found/);
  await siro.getByRole('link', { name: 'Information risks' }).first().click();
  assert.match(await siro.locator('main').innerText(), /Sam Taylor's Pixel 8/);

  // Sam leaves: removing the phone's access is a task for those who run the register.
  const people = await pm.goto(pm.url().replace(/\/devices\/.*/, '/people'));
  assert.ok(people.ok());
  await pm.getByRole('link', { name: 'Sam Taylor' }).first().click();
  await pm.getByRole('link', { name: 'Record as a leaver' }).click();
  const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await pm.getByLabel('Exit date (last working day)').fill(inAWeek);
  await pm.getByLabel('Reason for leaving').fill('Moving away');
  await pm.getByRole('button', { name: 'Record leaver' }).click();
  await pm.goto(devicePage.replace(/\/devices\/.*/, ''));
  assert.match(await pm.getByRole('region', { name: 'Your tasks' }).innerText(),
    /Remove Sam Taylor's access from their Pixel 8 and confirm the work data on it is deleted/);
});
