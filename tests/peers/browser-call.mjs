#!/usr/bin/env node
// Drives two pages of the browser demo in headless Chromium (Debian's, via
// playwright-core): both register to a SIP-over-WebSocket server, the first
// calls the second with fake audio, the callee answers, the call is confirmed
// on both sides and media flows, then the caller hangs up. Prints one
// PASS/FAIL line per step; exit status 0 when every step passed.
//
//   node browser-call.mjs --server WS-URL (--site DIR | --page URL)
//        [--domain NAME] [--caller NAME[:PASSWORD]] [--callee NAME[:PASSWORD]]
//        [--screenshot FILE.png] [--cert SERVER-CERT.pem] [--chromium PATH]
//        [--timeout S] [--verbose]
//
// --site DIR   serves the built demo (examples/browser build output) from a
//              static HTTP server on a free loopback port, with no /online;
// --page URL   uses a page served elsewhere (e.g. by sipws-proxy).
// --cert FILE  trusts this wss server certificate explicitly (by its public
//              key) instead of ignoring certificate errors.
// The caller's page is saved to FILE.png during the call and the callee's to
// FILE-callee.png.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';
import { parseArgs, emit, finish, UsageError, seconds } from './lib/cli.mjs';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

/// A static file server for DIR on 127.0.0.1 and a free port.
function serveSite(dir) {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': types[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/// base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, for
/// Chromium's --ignore-certificate-errors-spki-list (trust this key only).
function spkiHash(certFile) {
  const x509 = new crypto.X509Certificate(fs.readFileSync(certFile));
  const der = x509.publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('base64');
}

function splitUser(s, dflt) {
  const v = s || dflt;
  const i = v.indexOf(':');
  return i < 0 ? { name: v, password: '' } : { name: v.slice(0, i), password: v.slice(i + 1) };
}

let failures = 0;
function pass(what) { emit(`PASS ${what}`); }
function fail(what) { ++failures; emit(`FAIL ${what}`); }

async function main() {
  const { opts } = parseArgs(process.argv.slice(2), ['verbose']);
  if (!opts.server || !/^wss?:\/\//.test(opts.server)) throw new UsageError('--server ws(s)://HOST:PORT is required');
  if (!opts.site === !opts.page) throw new UsageError('give exactly one of --site DIR or --page URL');
  if (opts.site && !fs.existsSync(path.join(opts.site, 'index.html')))
    throw new UsageError(`no index.html in --site ${opts.site} (build the sipws-browser-demo target)`);
  const timeout = seconds(opts, 'timeout', 20);
  const caller = splitUser(opts.caller, 'alice');
  const callee = splitUser(opts.callee, 'bob');
  const domain = opts.domain || 'sipws.test';
  const executablePath = opts.chromium || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new UsageError(`Chromium not found at ${executablePath} (Debian: apt-get install chromium)`);

  let httpServer = null;
  let pageBase = opts.page;
  if (opts.site) {
    httpServer = await serveSite(opts.site);
    pageBase = `http://127.0.0.1:${httpServer.address().port}/`;
  }

  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    // WebRTC on loopback: plain host candidates (no mDNS names), loopback allowed.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--allow-loopback-in-peer-connection',
    '--force-webrtc-ip-handling-policy=default',
  ];
  if (opts.cert) args.push(`--ignore-certificate-errors-spki-list=${spkiHash(opts.cert)}`);

  let browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args, timeout: 30000 });
  } catch (e) {
    fail(`cannot start Chromium (${executablePath}): ${e.message.split('\n')[0]}`);
    if (httpServer) httpServer.close();
    return finish(1);
  }
  pass(`Chromium ${browser.version()} started`);

  const pages = [];
  const openPage = async (user) => {
    const context = await browser.newContext({ permissions: ['microphone'], viewport: { width: 1000, height: 760 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      // A missing /online is expected with servers that do not publish it.
      const noise = m.type() === 'error' && /Failed to load resource.*404/.test(m.text());
      if (opts.verbose || (m.type() === 'error' && !noise)) emit(`CONSOLE ${user.name} ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => emit(`PAGEERROR ${user.name}: ${e.message}`));
    const url = new URL(pageBase);
    url.searchParams.set('server', opts.server);
    url.searchParams.set('domain', domain);
    await page.goto(url.toString(), { timeout });
    pages.push(page);
    return page;
  };

  const state = (page, id) => page.locator(`#${id}`).getAttribute('data-state');
  const text = (page, id) => page.locator(`#${id}`).textContent();
  const waitState = async (page, id, wanted, what) => {
    try {
      await page.waitForFunction(
        ([elId, want]) => { const el = document.getElementById(elId); return el && want.includes(el.dataset.state); },
        [id, wanted], { timeout });
      pass(`${what} (${(await text(page, id)).trim()})`);
      return true;
    } catch {
      fail(`${what}: #${id} is ${await state(page, id)} "${(await text(page, id)).trim()}", wanted ${wanted.join('|')}`);
      return false;
    }
  };

  let ok = true;
  try {
    const a = await openPage(caller);
    const b = await openPage(callee);
    for (const [page, user] of [[a, caller], [b, callee]]) {
      await page.fill('#name', user.name);
      await page.fill('#password', user.password);
      await page.click('#register');
    }
    ok = (await waitState(a, 'reg-status', ['registered', 'failed'], `${caller.name} registers`)) && ok;
    ok = (await waitState(b, 'reg-status', ['registered', 'failed'], `${callee.name} registers`)) && ok;
    if (ok && ((await state(a, 'reg-status')) !== 'registered' || (await state(b, 'reg-status')) !== 'registered')) {
      fail('registration refused');
      ok = false;
    }
    if (ok) {
      const note = `hello ${callee.name}, from ${caller.name}`;
      await a.fill('#chat-to', callee.name);
      await a.fill('#chat-text', note);
      await a.click('#chat-send');
      ok = await waitState(a, 'chat-status', ['sent', 'failed'], `${caller.name} sends a MESSAGE`);
      try {
        await b.locator('#chat-log li', { hasText: note }).first().waitFor({ timeout });
        pass(`${callee.name} receives the MESSAGE`);
      } catch {
        fail(`${callee.name} did not receive the MESSAGE "${note}"`);
        ok = false;
      }
    }
    if (ok) {
      await a.fill('#call-to', callee.name);
      await a.click('#call');
      ok = await waitState(b, 'call-status', ['incoming'], `${callee.name} sees the incoming call`);
    }
    if (ok) {
      await b.click('#answer');
      ok = (await waitState(a, 'call-status', ['confirmed'], `call confirmed for ${caller.name}`)) && ok;
      ok = (await waitState(b, 'call-status', ['confirmed'], `call confirmed for ${callee.name}`)) && ok;
    }
    if (ok) {
      // Media: RTP must arrive at both ends over the loopback ICE pair.
      const received = (page) => page.evaluate(async () => {
        const pc = window.sipwsDemo.session && window.sipwsDemo.session.connection;
        if (!pc) return -1;
        let bytes = 0;
        (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'audio') bytes += r.bytesReceived; });
        return bytes;
      });
      let ra = 0;
      let rb = 0;
      const until = Date.now() + Math.min(timeout, 10000);
      while (Date.now() < until && (ra <= 0 || rb <= 0)) {
        await new Promise((r) => setTimeout(r, 250));
        ra = await received(a);
        rb = await received(b);
      }
      if (ra > 0 && rb > 0) pass(`audio flows both ways (${ra} and ${rb} bytes of RTP received)`);
      else { fail(`no audio: ${caller.name} received ${ra} bytes, ${callee.name} ${rb}`); ok = false; }
      if (opts.screenshot) {
        fs.mkdirSync(path.dirname(path.resolve(opts.screenshot)), { recursive: true });
        await a.screenshot({ path: opts.screenshot, fullPage: true });
        const calleeShot = opts.screenshot.replace(/(\.png)?$/i, '-callee.png');
        await b.screenshot({ path: calleeShot, fullPage: true });
        emit(`SCREENSHOT ${path.resolve(opts.screenshot)} ${path.resolve(calleeShot)}`);
      }
      await a.click('#hangup');
      ok = (await waitState(a, 'call-status', ['ended'], `call ended for ${caller.name}`)) && ok;
      ok = (await waitState(b, 'call-status', ['ended'], `call ended for ${callee.name}`)) && ok;
    } else if (opts.screenshot && pages.length) {
      await pages[0].screenshot({ path: opts.screenshot, fullPage: true }).catch(() => {});
    }
    // Sign out so the server drops the bindings.
    for (const page of pages) {
      if ((await state(page, 'reg-status')) === 'registered') {
        await page.click('#unregister');
        await page.waitForFunction(() => document.getElementById('reg-status').dataset.state === 'unregistered', null, { timeout: 3000 }).catch(() => {});
      }
    }
  } catch (e) {
    fail(`unexpected error: ${e.message.split('\n')[0]}`);
  } finally {
    await browser.close().catch(() => {});
    if (httpServer) httpServer.close();
  }
  if (failures === 0) emit('PASS browser call');
  return finish(failures === 0 ? 0 : 1);
}

main().catch((e) => {
  if (e instanceof UsageError) {
    emit(`FAIL usage: ${e.message}`);
    finish(2);
  } else {
    emit(`FAIL ${e && e.message ? e.message : e}`);
    finish(1);
  }
});
