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
