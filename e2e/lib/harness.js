// Starts the real custodian binary on a free port with a fresh demo data directory, and
// Debian's Chromium through playwright-core. Every page a test visits is checked with axe-core.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

export const DEMO_PASSWORD = 'demo-custodian-2026';
export const DEMO_TOTP_SECRET = 'DEMODEMODEMODEMODEMODEMODEMODEMO';
export const DEMO_ANSWER = 'demo';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP code for a time step. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const d = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = d[19] & 15;
  const n = ((d[o] & 127) << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// The server never accepts a step twice for one person; the drift window lets the next step's
// code in, so a second sign-in in the same 30 seconds uses that.
const lastStep = new Map();
// A code is accepted once, within one 30-second step either side of now; a third sign-in
// in the same step waits for the clock rather than offering a code the server must refuse.
async function nextCode(username) {
  let step = Math.floor(Date.now() / 30_000);
  if ((lastStep.get(username) ?? -1) >= step) step = lastStep.get(username) + 1;
  while (step > Math.floor(Date.now() / 30_000) + 1) await new Promise((r) => setTimeout(r, 500));
  lastStep.set(username, step);
  return totp(DEMO_TOTP_SECRET, step);
}

function binary() {
  const candidates = [
    process.env.CUSTODIAN_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'custodian'),
    join(repo, 'target', 'debug', 'custodian'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`custodian binary not found (tried ${candidates.join(', ')}); run cargo build first`);
  return found;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

async function waitHealthy(url, child, log) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`custodian exited with ${child.exitCode}:\n${log()}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch { /* not yet listening */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`custodian did not become healthy:\n${log()}`);
}

/** Starts custodian (demo data) and Chromium. Call `stop()` when done. */
export async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(binary(), ['demo', '--data-dir', join(dir, 'data'), '--bind', `127.0.0.1:${port}`], {
    env: { ...process.env, CUSTODIAN_SERVER_METRICS_BIND: '', CUSTODIAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  await waitHealthy(url, child, () => output);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  const shots = join(repo, 'e2e', 'test-results');
  mkdirSync(shots, { recursive: true });
  return {
    url,
    browser,
    output: () => output,
    async newPage() {
      const context = await browser.newContext({ baseURL: url });
      return context.newPage();
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close().catch(() => {});
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fails with a readable list when axe-core finds WCAG 2.2 A/AA violations on the page. */
export async function checkAccessibility(page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
    throw new Error(`accessibility violations on ${page.url()}:\n  ${lines.join('\n  ')}`);
  }
}

/** Signs in through the sign-in form, giving the demo authenticator code when asked. */
/**
 * Opens a practice's home: someone in one practice is already there after signing in; others
 * choose it from their list.
 */
export async function openPractice(page, name = 'Riverside Medical Centre') {
  const heading = page.getByRole('heading', { name, level: 1 });
  const link = page.getByRole('link', { name });
  // Whichever page the last step led to, once it is there.
  await heading.or(link).first().waitFor();
  if (await heading.count() === 0) await link.first().click();
  await heading.waitFor();
}

export async function signIn(page, username, password = DEMO_PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email address').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
  if (new URL(page.url()).pathname === '/sign-in/mfa') {
    await checkAccessibility(page);
    await page.getByLabel('Authenticator code').fill(await nextCode(username));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState('domcontentloaded');
  }
}

/** Opens a folded part of a page (a `<details>`) by the words of its summary. */
export async function unfold(page, summary) {
  await page.locator('summary', { hasText: summary }).click();
}
