#!/usr/bin/env node
// Opens a WebSocket (subprotocol sip) from a page in headless Chromium (Debian's,
// via playwright-core) and leaves it idle: a browser page has no way to send a
// Ping frame, so only the server can keep such a connection alive.
//
//   node browser-idle-websocket.mjs --server WS-URL [--idle S] [--echo N] [--chromium PATH]
//
// Prints `PING_API none` (or `PING_API present`), `OPEN <protocol>` once open, then
// `STILL_OPEN` after S seconds (default 3) of sending nothing, or `CLOSED <code>`
// as soon as the server closes it. Exit status 0 when it ran to the end.
// With --echo N the page first prints `EXTENSIONS <what the server agreed or ->`,
// sends N SIP messages of a few KiB to an echo server and prints `ECHO_OK` once
// all came back intact (`ECHO_BAD <i>` otherwise) before idling.
import fs from 'node:fs';
import http from 'node:http';
import { chromium } from 'playwright-core';
import { parseArgs, emit, finish, UsageError, seconds } from './lib/cli.mjs';

async function main() {
  const { opts } = parseArgs(process.argv.slice(2));
  if (!opts.server || !/^ws:\/\//i.test(opts.server)) throw new UsageError('--server ws://HOST:PORT is required');
  const idle = seconds(opts, 'idle', 3);
  const echo = parseInt(opts.echo || '0', 10);
  const executablePath = opts.chromium || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new UsageError(`Chromium not found at ${executablePath}`);
  const browser = await chromium.launch({
    executablePath, headless: true, timeout: 30000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The page comes from loopback too, so that it may open loopback WebSockets.
  const site = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>idle</title>');
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  try {
    const page = await browser.newPage();
    page.on('console', (m) => emit(m.text()));
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.evaluate(({ url, idleMs, echo }) => new Promise((resolve) => {
      const ws = new WebSocket(url, 'sip');
      // The WebSocket API has send() and close(), nothing that sends a Ping.
      console.log(`PING_API ${typeof ws.ping === 'undefined' ? 'none' : 'present'}`);
      let timer = null;
      const idleNow = () => {
        timer = setTimeout(() => { console.log('STILL_OPEN'); ws.close(1000); resolve(); }, idleMs);
      };
      const sent = [];
      for (let i = 0; i < echo; ++i) {
        let body = '';
        for (let k = 0; body.length < 2500 + 300 * i; ++k) body += `a=candidate:${k} 1 udp 2122260223 192.0.2.${k % 250} ${50000 + k} typ host\r\n`;
        sent.push(`MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: ${i}@page\r\nCSeq: ${i} MESSAGE\r\n` +
                  `Content-Length: ${body.length}\r\n\r\n${body}`);
      }
      let got = 0;
      ws.onmessage = (e) => {
        if (got >= sent.length) return;
        if (e.data !== sent[got]) { console.log(`ECHO_BAD ${got}`); got = sent.length; ws.close(1000); return; }
        if (++got === sent.length) { console.log('ECHO_OK'); idleNow(); }
      };
      ws.onopen = () => {
        console.log(`OPEN ${ws.protocol}`);
        if (!sent.length) return idleNow();
        console.log(`EXTENSIONS ${ws.extensions || '-'}`);
        for (const m of sent) ws.send(m);
      };
      ws.onclose = (e) => {
        if (timer === null && e.code === 1006) console.log('CONNECT_FAILED');
        if (timer !== null) clearTimeout(timer);
        console.log(`CLOSED ${e.code}`);
        resolve();
      };
    }), { url: opts.server, idleMs: idle, echo });
    // Let the console events of the page arrive.
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await browser.close();
    site.close();
  }
  return 0;
}

main().then((code) => finish(code), (e) => {
  process.stderr.write(`browser-idle-websocket: ${e.message}\n`);
  finish(e instanceof UsageError ? 2 : 1);
});
