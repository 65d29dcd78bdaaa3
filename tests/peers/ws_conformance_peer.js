// Peer for tests/integration/ws_conformance_test.cpp: the npm `ws` package on
// the other side of a loopback socket, in either role.
//
//   node ws_conformance_peer.js server            -> prints "LISTENING <port>"; runs the
//                                                    scenario named by each request path
//   node ws_conformance_peer.js client <url> <scenario> [protocol|-]
//   node ws_conformance_peer.js fuzzingserver <scenario>,<scenario>,...
//                                                 -> prints "LISTENING <port>"; speaks the
//                                                    Autobahn|Testsuite fuzzingserver driver
//                                                    protocol with the scenarios as cases 1..N:
//                                                    /getCaseCount sends N, /runCase?case=I&agent=A
//                                                    runs case I (line "CASE I <scenario> <agent>"),
//                                                    /updateReports?agent=A prints "REPORTS <agent>"
//
// For each connection it prints lines "<WORD> <scenario> <details>":
//   OPEN s <protocol> <extensions>   handshake done
//   STATUS s <code>                  handshake refused with an HTTP status
//   MSG s <text|binary> <length>     message received (echo scenarios)
//   PONG s <hex>                     pong received
//   OK s / FAIL s <why>              result of the scenario's own checks
//   CLOSE s <code> <reason>          connection closed (code as ws reports it)
//   DONE s                           nothing more will be printed for s
'use strict';
const crypto = require('crypto');
const WebSocket = require('ws');

const out = (...a) => process.stdout.write(a.join(' ') + '\n');

// A frame exactly as given; masked with a random key when `mask`.
function rawFrame(fin, rsv, op, payload, mask) {
  payload = Buffer.from(payload);
  const n = payload.length;
  let head;
  if (n < 126) {
    head = Buffer.from([(fin ? 0x80 : 0) | (rsv << 4) | op, (mask ? 0x80 : 0) | n]);
  } else if (n < 65536) {
    head = Buffer.from([(fin ? 0x80 : 0) | (rsv << 4) | op, (mask ? 0x80 : 0) | 126, n >> 8, n & 255]);
  } else {
    head = Buffer.alloc(10);
    head[0] = (fin ? 0x80 : 0) | (rsv << 4) | op;
    head[1] = (mask ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = crypto.randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < n; i++) body[i] ^= key[i % 4];
  return Buffer.concat([head, key, body]);
}

const codeBuf = (code, reason = '') =>
  Buffer.concat([Buffer.from([code >> 8, code & 255]), Buffer.from(reason)]);

const sizes = [0, 1, 125, 126, 127, 65535, 65536, 200000];
const pattern = (n, seed) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
};

// Scenario bodies: (ws, ctx) where ctx = { name, isClient, raw(buf), log(...) }.
const scenarios = {
  // Framing: every size, text and binary, echoed back unchanged.
  async echo_sizes(ws, ctx) {
    for (const n of sizes) {
      for (const binary of [false, true]) {
        const data = binary ? pattern(n, 7) : Buffer.from('a'.repeat(n));
        const echo = await ctx.roundTrip(data, binary);
        if (echo.isBinary !== binary || !Buffer.from(echo.data).equals(data))
          return ctx.fail(`echo mismatch size ${n} binary ${binary}`);
      }
    }
    ctx.ok();
    ws.close(1000, 'done');
  },
  // Fragmented messages with control frames in between.
  async fragmented(ws, ctx) {
    const pong = ctx.nextPong();
    ws.send('Hel', { fin: false });
    ws.send('lo ', { fin: false });
    ws.ping('between');
    ws.send('', { fin: false });
    const echo = ctx.nextMessage();
    ws.send('world', { fin: true });
    const [p, e] = await Promise.all([pong, echo]);
    if (p.toString() !== 'between') return ctx.fail('pong payload ' + p.toString());
    if (e.isBinary || e.data.toString() !== 'Hello world') return ctx.fail('echo ' + e.data);
    // Binary in 1-octet fragments.
    const bin = pattern(40, 3);
    const echo2 = ctx.nextMessage();
    for (let i = 0; i < bin.length; i++) ws.send(bin.subarray(i, i + 1), { binary: true, fin: i === bin.length - 1 });
    const e2 = await echo2;
    if (!e2.isBinary || !Buffer.from(e2.data).equals(bin)) return ctx.fail('binary fragments');
    ctx.ok();
    ws.close(1000);
  },
  async ping_pong(ws, ctx) {
    for (const payload of [Buffer.alloc(0), Buffer.from('x'), pattern(125, 9)]) {
      const pong = ctx.nextPong();
      ws.ping(payload);
      const p = await pong;
      if (!Buffer.from(p).equals(payload)) return ctx.fail('pong payload differs');
    }
    // Unsolicited pong: no answer expected; the echo afterwards proves the
    // connection is still fine.
    ws.pong('unsolicited');
    const e = await ctx.roundTrip(Buffer.from('still here'), false);
    if (e.data.toString() !== 'still here') return ctx.fail('after pong');
    ctx.ok();
    ws.close(1000);
  },
  // The C++ side pings, sends fragmented messages and closes; we echo.
  async peer_echo(ws, ctx) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  },
  async utf8_valid(ws, ctx) {
    const text = Buffer.from('κόσμε · Grüße · 日本語 · 😀 · SIP/2.0');
    let e = await ctx.roundTrip(text, false);
    if (e.isBinary || !Buffer.from(e.data).equals(text)) return ctx.fail('utf8 echo');
    // Split inside a 4-octet sequence over fragments.
    const at = text.indexOf(0xf0) + 2;
    const echo = ctx.nextMessage();
    ws.send(text.subarray(0, at), { binary: false, fin: false });
    ws.send(text.subarray(at), { binary: false, fin: true });
    e = await echo;
    if (!Buffer.from(e.data).equals(text)) return ctx.fail('split utf8 echo');
    ctx.ok();
    ws.close(1000);
  },
  utf8_invalid(ws, ctx) {
    ctx.raw(rawFrame(true, 0, 1, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64]), ctx.isClient));
  },
  // Fail-fast: the invalid octet is in a first fragment; FIN never comes.
  utf8_failfast(ws, ctx) {
    ctx.raw(rawFrame(false, 0, 1, Buffer.from('valid so far \xf4\x90\x80\x80', 'latin1'), ctx.isClient));
  },
  // Fail-fast across a fragment boundary: "\xce" then "A" (not a continuation).
  utf8_failfast_split(ws, ctx) {
    ctx.raw(rawFrame(false, 0, 1, Buffer.from([0x61, 0xce]), ctx.isClient));
    ctx.raw(rawFrame(false, 0, 0, Buffer.from([0x41, 0x42]), ctx.isClient));
  },
  close_1000(ws) { ws.close(1000, 'normal'); },
  close_1001(ws) { ws.close(1001, 'away'); },
  close_3000(ws) { ws.close(3000, 'app'); },
  close_4999(ws) { ws.close(4999, 'κόσμε'); },
  close_empty(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, Buffer.alloc(0), ctx.isClient)); },
  close_1byte(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, Buffer.from([3]), ctx.isClient)); },
  close_bad_reason(ws, ctx) {
    ctx.raw(rawFrame(true, 0, 8, Buffer.concat([codeBuf(1000), Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80])]), ctx.isClient));
  },
  close_code_0(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(0), ctx.isClient)); },
  close_code_999(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(999), ctx.isClient)); },
  close_code_1004(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1004), ctx.isClient)); },
  close_code_1005(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1005), ctx.isClient)); },
  close_code_1006(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1006), ctx.isClient)); },
  close_code_1015(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1015), ctx.isClient)); },
  close_code_1016(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1016), ctx.isClient)); },
  close_code_2999(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(2999), ctx.isClient)); },
  close_code_5000(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(5000), ctx.isClient)); },
  // Close, then data: the data must be ignored.
  data_after_close(ws, ctx) {
    ctx.raw(Buffer.concat([rawFrame(true, 0, 8, codeBuf(1000), ctx.isClient),
                           rawFrame(true, 0, 1, Buffer.from('after close'), ctx.isClient)]));
  },
  rsv1(ws, ctx) { ctx.raw(rawFrame(true, 4, 1, Buffer.from('rsv'), ctx.isClient)); },
  rsv2(ws, ctx) { ctx.raw(rawFrame(true, 2, 1, Buffer.from('rsv'), ctx.isClient)); },
  rsv3(ws, ctx) { ctx.raw(rawFrame(true, 1, 9, Buffer.from('rsv'), ctx.isClient)); },
  opcode_3(ws, ctx) { ctx.raw(rawFrame(true, 0, 3, Buffer.from('x'), ctx.isClient)); },
  opcode_7(ws, ctx) { ctx.raw(rawFrame(true, 0, 7, Buffer.alloc(0), ctx.isClient)); },
  opcode_b(ws, ctx) { ctx.raw(rawFrame(true, 0, 0xb, Buffer.from('x'), ctx.isClient)); },
  opcode_f(ws, ctx) { ctx.raw(rawFrame(true, 0, 0xf, Buffer.alloc(0), ctx.isClient)); },
  ping_too_long(ws, ctx) { ctx.raw(rawFrame(true, 0, 9, Buffer.alloc(126, 1), ctx.isClient)); },
  ping_fragmented(ws, ctx) { ctx.raw(rawFrame(false, 0, 9, Buffer.from('p'), ctx.isClient)); },
  continuation_first(ws, ctx) { ctx.raw(rawFrame(true, 0, 0, Buffer.from('c'), ctx.isClient)); },
  text_inside_text(ws, ctx) {
    ctx.raw(Buffer.concat([rawFrame(false, 0, 1, Buffer.from('a'), ctx.isClient),
                           rawFrame(true, 0, 1, Buffer.from('b'), ctx.isClient)]));
  },
  non_minimal_length(ws, ctx) {
    const f = rawFrame(true, 0, 2, Buffer.alloc(5, 1), false);
    const head = Buffer.from([0x82, (ctx.isClient ? 0x80 : 0) | 126, 0, 5]);
    const key = ctx.isClient ? Buffer.alloc(4) : Buffer.alloc(0);
    ctx.raw(Buffer.concat([head, key, f.subarray(2)]));
  },
  length_msb(ws, ctx) {
    ctx.raw(Buffer.from([0x82, (ctx.isClient ? 0x80 : 0) | 127, 0x80, 0, 0, 0, 0, 0, 0, 1]));
  },
  // Wrong masking for the peer's role.
  wrong_mask(ws, ctx) { ctx.raw(rawFrame(true, 0, 1, Buffer.from('mask'), !ctx.isClient)); },
  too_big(ws) { ws.send(pattern(70000, 1), { binary: true }); },
  too_big_fragmented(ws) {
    for (let i = 0; i < 20; i++) ws.send(pattern(4000, i), { binary: true, fin: false });
  },
  // The C++ side closes first; we only watch.
  idle(ws) {},
  // Autobahn 2.10-like: ten pings in a row, ten pongs back in order.
  async ping_flood(ws, ctx) {
    const pongs = [];
    for (let i = 0; i < 10; i++) pongs.push(ctx.nextPong());
    for (let i = 0; i < 10; i++) ws.ping('p' + i);
    const got = await Promise.all(pongs);
    for (let i = 0; i < 10; i++)
      if (got[i].toString() !== 'p' + i) return ctx.fail('pong ' + i + ' = ' + got[i]);
    ctx.ok();
    ws.close(1000);
  },
  // Autobahn 1.1.8/5.x-like: a frame written one octet at a time, with a
  // ping inside a fragmented message also chopped.
  async chopped(ws, ctx) {
    const frames = Buffer.concat([
      rawFrame(false, 0, 1, Buffer.from('chop'), ctx.isClient),
      rawFrame(true, 0, 9, Buffer.from('in-between'), ctx.isClient),
      rawFrame(true, 0, 0, Buffer.from('ped ' + 'x'.repeat(300)), ctx.isClient),
    ]);
    const echo = ctx.nextMessage();
    const pong = ctx.nextPong();
    for (let i = 0; i < frames.length; i++) {
      ws._socket.write(frames.subarray(i, i + 1));
      if (i % 16 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const [e, p] = await Promise.all([echo, pong]);
    if (e.data.toString() !== 'chopped ' + 'x'.repeat(300)) return ctx.fail('echo ' + e.data);
    if (p.toString() !== 'in-between') return ctx.fail('pong ' + p);
    ctx.ok();
    ws.close(1000);
  },
  // Autobahn 6.x-like: a batch of valid UTF-8 texts (edge code points),
  // whole and in 1-octet fragments, all echoed unchanged.
  async utf8_batch(ws, ctx) {
    const texts = ['', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000',
                   '\ufffd', '\uffff', '\u{10000}', '\u{10ffff}', 'Hello-µ@ßöäüàá-UTF-8!!',
                   'κόσμε', '\u{1f600}\u{1f601}'];
    for (const t of texts) {
      const buf = Buffer.from(t, 'utf8');
      let e = await ctx.roundTrip(buf, false);
      if (e.isBinary || !Buffer.from(e.data).equals(buf)) return ctx.fail('whole ' + buf.toString('hex'));
      if (buf.length > 1) {
        const echo = ctx.nextMessage();
        for (let i = 0; i < buf.length; i++)
          ws.send(buf.subarray(i, i + 1), { binary: false, fin: i === buf.length - 1 });
        e = await echo;
        if (!Buffer.from(e.data).equals(buf)) return ctx.fail('fragments ' + buf.toString('hex'));
      }
    }
    ctx.ok();
    ws.close(1000);
  },
  // Autobahn 7.1.5: fragment, close, then the final fragment (ignored).
  fragment_then_close(ws, ctx) {
    ctx.raw(Buffer.concat([rawFrame(false, 0, 1, Buffer.from('frag'), ctx.isClient),
                           rawFrame(true, 0, 8, codeBuf(1000), ctx.isClient),
                           rawFrame(true, 0, 0, Buffer.from('ment'), ctx.isClient)]));
  },
  // Autobahn 7.1.6: a large message then close at once: echo, then the close.
  large_then_close(ws, ctx) {
    ws.send('L'.repeat(262144));
    ws.close(1000, 'after large');
  },
  // Autobahn 7.3.5/7.3.6: reasons of 123 octets (fine) and 124 (control too long).
  close_reason_123(ws) { ws.close(1000, 'r'.repeat(123)); },
  close_reason_124(ws, ctx) { ctx.raw(rawFrame(true, 0, 8, codeBuf(1000, 'r'.repeat(124)), ctx.isClient)); },
  // Limits: exactly the default maximum message size is accepted.
  async max_size(ws, ctx) {
    const data = pattern(1048576, 5);
    const e = await ctx.roundTrip(data, true);
    if (!Buffer.from(e.data).equals(data)) return ctx.fail('1 MiB echo');
    ctx.ok();
    ws.close(1000);
  },
};

function run(ws, name, isClient) {
  const messages = [];
  const messageWaiters = [];
  const pongWaiters = [];
  let done = false;
  const finish = () => { if (!done) { done = true; out('DONE', name); } };
  ws.on('message', (data, isBinary) => {
    out('MSG', name, isBinary ? 'binary' : 'text', data.length);
    const w = messageWaiters.shift();
    if (w) w({ data, isBinary }); else messages.push({ data, isBinary });
  });
  ws.on('pong', (data) => {
    out('PONG', name, Buffer.from(data).toString('hex'));
    const w = pongWaiters.shift();
    if (w) w(data);
  });
  ws.on('error', (err) => out('ERROR', name, JSON.stringify(String(err.message))));
  ws.on('close', (code, reason) => {
    out('CLOSE', name, code, JSON.stringify(reason.toString()));
    finish();
  });
  const ctx = {
    name, isClient,
    raw: (buf) => ws._socket.write(buf),
    ok: () => out('OK', name),
    fail: (why) => { out('FAIL', name, JSON.stringify(why)); ws.terminate(); },
    nextMessage: () => new Promise((resolve) => {
      const m = messages.shift();
      if (m) resolve(m); else messageWaiters.push(resolve);
    }),
    nextPong: () => new Promise((resolve) => pongWaiters.push(resolve)),
  };
  ctx.roundTrip = (data, binary) => {
    const p = ctx.nextMessage();
    ws.send(data, { binary });
    return p;
  };
  const body = scenarios[name];
  if (!body) { out('FAIL', name, '"unknown scenario"'); ws.terminate(); return; }
  Promise.resolve(body(ws, ctx)).catch((e) => ctx.fail(String(e && e.stack || e)));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'server') {
  const wss = new WebSocket.Server({
    host: '127.0.0.1', port: 0, maxPayload: 1 << 24,
    handleProtocols: (protocols, req) => {
      if (req.url === '/no_protocol') return false;
      if (req.url === '/wrong_protocol') return 'chat';
      return protocols.has('sip') ? 'sip' : false;
    },
  });
  wss.on('headers', (headers, req) => {
    if (req.url === '/dup_accept') headers.push(headers.find((h) => h.startsWith('Sec-WebSocket-Accept')));
    if (req.url === '/bad_accept') {
      const i = headers.findIndex((h) => h.startsWith('Sec-WebSocket-Accept'));
      headers[i] = 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
    }
    if (req.url === '/extension') headers.push('Sec-WebSocket-Extensions: permessage-deflate');
  });
  wss.on('listening', () => out('LISTENING', wss.address().port));
  wss.on('connection', (ws, req) => {
    const name = req.url.slice(1);
    out('OPEN', name, ws.protocol || '-', ws.extensions || '-');
    run(ws, name, false);
  });
  process.on('SIGTERM', () => process.exit(0));
} else if (mode === 'client') {
  const [url, name, protocol] = args;
  const protocols = protocol === '-' ? [] : [protocol || 'sip'];
  const ws = new WebSocket(url, protocols, { maxPayload: 1 << 24 });
  ws.on('unexpected-response', (req, res) => {
    out('STATUS', name, res.statusCode);
    out('DONE', name);
    process.exit(0);
  });
  ws.on('open', () => {
    out('OPEN', name, ws.protocol || '-', ws.extensions || '-');
    run(ws, name, true);
  });
  ws.on('close', () => setTimeout(() => process.exit(0), 10));
  ws.on('error', (e) => { out('ERROR', name, JSON.stringify(String(e.message))); });
  setTimeout(() => { out('TIMEOUT', name); process.exit(2); }, 15000);
} else if (mode === 'fuzzingserver') {
  const cases = (args[0] || '').split(',').filter((c) => c);
  const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, maxPayload: 1 << 24 });
  wss.on('listening', () => out('LISTENING', wss.address().port));
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const agent = url.searchParams.get('agent') || '-';
    if (url.pathname === '/getCaseCount') {
      ws.send(String(cases.length));
      ws.close(1000);
    } else if (url.pathname === '/runCase') {
      const i = Number(url.searchParams.get('case'));
      const name = cases[i - 1];
      out('CASE', i, name || '-', agent);
      if (!name) { ws.close(1000); return; }
      run(ws, name, false);
    } else if (url.pathname === '/updateReports') {
      out('REPORTS', agent);
      ws.close(1000);
    } else {
      ws.close(1008);
    }
  });
  process.on('SIGTERM', () => process.exit(0));
} else {
  console.error('usage: ws_conformance_peer.js server | client <url> <scenario> [protocol|-] | fuzzingserver <scenarios>');
  process.exit(64);
}
