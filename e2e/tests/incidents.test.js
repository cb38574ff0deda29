// Information incidents as a receptionist and the Data Protection Lead use them: the report form
// from the header of any page, a photo attached as evidence (a web page renamed .pdf refused),
// the DPL told on their home page, grading it reportable, recording the ICO report, reading the
// notification draft and closing it with lessons learned and a new risk. Every page checked with
// axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, checkAccessibility, signIn, openPractice, unfold } from '../lib/harness.js';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

function localMinutesAgo(minutes) {
  // The form's date-and-time field takes London time; the demo runs in the machine's clock.
  const at = new Date(Date.now() - minutes * 60_000);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).reduce((o, p) => ({ ...o, [p.type]: p.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

test('a receptionist reports an incident and the DPL grades, reports and closes it', async () => {
  const page = await app.newPage();
  await signIn(page, 's.taylor');
  await page.getByRole('link', { name: 'Report an incident' }).click();
  await page.getByRole('heading', { name: 'Report an incident' }).waitFor();
  await checkAccessibility(page);

  // Found out before it happened: refused, the field named, nothing lost from the form.
  await page.getByLabel('What happened?').fill('Handed a repeat prescription to the wrong patient\'s relative at the desk.');
  await page.getByLabel('What kind of incident?').selectOption('wrong_recipient');
  await page.getByLabel('When did it happen?').fill(localMinutesAgo(30));
  await page.getByLabel('When did you find out?').fill(localMinutesAgo(90));
  await page.getByRole('button', { name: 'Send the report' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /cannot have found out before it happened/);
  assert.match(await page.getByLabel('What happened?').inputValue(), /repeat prescription/);
  await checkAccessibility(page);

  await page.getByLabel('When did you find out?').fill(localMinutesAgo(20));
  await page.getByLabel("Patients' information").check();
  await page.getByRole('button', { name: 'Send the report' }).click();
  await page.getByRole('heading', { name: /Thank you: your report is INC-\d{4}-\d{4}/ }).waitFor();
  const reference = (await page.getByRole('heading', { name: /^Incident INC-/ }).innerText()).replace('Incident ', '');
  await checkAccessibility(page);
  await app.screenshot(page, 'incident-reported');

  // Evidence: a web page renamed .pdf is refused by its content; a photo of the envelope is kept.
  await page.getByLabel('Attach a file').setInputFiles({
    name: 'letter.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'),
  });
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /its content is a web page/);
  await checkAccessibility(page);
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de', 'hex');
  await page.getByLabel('Attach a file').setInputFiles({ name: 'envelope.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  await page.getByRole('link', { name: 'envelope.png' }).waitFor();
  assert.match(await page.locator('#evidence').innerText(), /PNG image/);

  // The receptionist's list is of their own reports (the demo's four are theirs too), without
  // the register's columns.
  await page.goto(page.url().replace(/\/incidents\/.*/, '/incidents'));
  await page.getByRole('heading', { name: 'My incident reports' }).waitFor();
  const mine = await page.locator('tbody').innerText();
  assert.match(mine, new RegExp(reference));
  assert.equal(await page.getByRole('columnheader', { name: 'Reportable' }).count(), 0);
  await checkAccessibility(page);

  // The Data Protection Lead is told on their home page.
  const dpl = await app.newPage();
  await signIn(dpl, 't.obrien');
  await openPractice(dpl, 'Riverside Medical Centre');
  await dpl.getByRole('link', { name: /incidents? reported, waiting for triage/ }).click();
  await dpl.getByRole('heading', { name: 'Incident register' }).waitFor();
  await checkAccessibility(dpl);
  await app.screenshot(dpl, 'incident-register');
  await dpl.getByRole('link', { name: reference }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  assert.match(await dpl.locator('main').innerText(), /Tell senior management \(12 hours\)/);

  // The handling steps are folded until chosen.
  assert.equal(await dpl.getByLabel('Likelihood that harm has occurred').isVisible(), false);
  // Graded likely / minor: reportable to the ICO.
  await unfold(dpl, 'Grade on the NHS breach assessment grid');
  await dpl.getByLabel('Likelihood that harm has occurred').selectOption('3');
  await dpl.getByLabel('Severity of the harm').selectOption('2');
  await dpl.getByLabel('Confidentiality').check();
  await dpl.getByRole('button', { name: 'Grade', exact: true }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  assert.match(await dpl.locator('main').innerText(), /reportable to the ICO/);

  // Not reportable without a reason is refused; reported with its reference stops the clock.
  await unfold(dpl, 'Record the ICO decision');
  await dpl.getByRole('button', { name: 'Record the decision', exact: true }).click();
  await dpl.getByRole('alert').waitFor();
  assert.match(await dpl.getByRole('alert').innerText(), /why it is not reportable/i);
  // The form with the problem is open again, its field named.
  assert.ok(await dpl.getByLabel('Why it is not reportable (if not)').isVisible());
  await checkAccessibility(dpl);
  await dpl.getByLabel('Yes, reported').check();
  await dpl.getByLabel("The ICO's reference (if reported)").fill('DSPT-INC-200117');
  await dpl.getByRole('button', { name: 'Record the decision', exact: true }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  assert.match(await dpl.locator('main').innerText(), /Reported at .* \(reference DSPT-INC-200117\)/);
  await unfold(dpl, 'Record when senior management was told');
  await dpl.getByRole('button', { name: 'Record', exact: true }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  await unfold(dpl, 'Decide whether to tell the people affected');
  await dpl.getByLabel('They were told', { exact: true }).check();
  await dpl.getByLabel('How they were told, or why not').fill('Phoned the patient and apologised.');
  await dpl.getByRole('button', { name: 'Record the decision about the people affected' }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  assert.match(await dpl.locator('main').innerText(), /Told: Phoned the patient/);
  // Every clock has been stopped by a decision.
  assert.equal(await dpl.locator('.clock-running, .clock-amber, .clock-red').count(), 0);

  // A follow-up action for the receptionist, with a due date.
  const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await dpl.getByLabel('What will be done').fill('Ring the relative and collect the prescription');
  await dpl.getByLabel('Who', { exact: true }).selectOption({ label: 'Sam Taylor' });
  await dpl.getByLabel('Due by').fill(due);
  await dpl.getByRole('button', { name: 'Add action' }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  assert.match(await dpl.locator('#actions').innerText(), /Ring the relative and collect the prescription/);
  await checkAccessibility(dpl);

  // The notification draft for the DSPT tool, filled from the record.
  await dpl.getByRole('link', { name: 'Notification draft (Art. 33(3))' }).click();
  await dpl.getByRole('heading', { name: `Notification draft for ${reference}` }).waitFor();
  const draft = await dpl.getByLabel('The draft').inputValue();
  assert.match(draft, /\(a\) Nature of the breach/);
  assert.match(draft, /\(d\) Measures taken or proposed/);
  await checkAccessibility(dpl);
  await dpl.getByRole('link', { name: `Back to ${reference}` }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();

  // Closed with the lessons learned, raising a risk in the same step.
  await unfold(dpl, 'Close the incident, with its lessons learned');
  await dpl.getByLabel('Lessons learned').fill('Check the name and date of birth before handing over a prescription.');
  await dpl.getByLabel('Raise a new risk in the risk register').check();
  await dpl.getByLabel("The new risk's title (if raising one)").fill('Prescriptions handed to the wrong person at the desk');
  await dpl.getByRole('button', { name: 'Close the incident' }).click();
  await dpl.getByRole('heading', { name: `Incident ${reference}` }).waitFor();
  const closed = await dpl.locator('main').innerText();
  assert.match(closed, /Closed\. Lessons learned: Check the name.*Risk raised: Prescriptions handed/);
  assert.match(await dpl.locator('#evidence').innerText(), /envelope\.png/);
  assert.equal(await dpl.getByRole('button', { name: 'Close the incident', includeHidden: true }).count(), 0);
  await checkAccessibility(dpl);
  await app.screenshot(dpl, 'incident-closed');
  await dpl.getByRole('link', { name: 'Prescriptions handed to the wrong person at the desk' }).click();
  await dpl.getByRole('heading', { name: /Prescriptions handed to the wrong person at the desk/ }).waitFor();
  await checkAccessibility(dpl);
});
