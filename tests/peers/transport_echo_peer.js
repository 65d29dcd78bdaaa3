// Peer for tests/integration/transport_interop_test.cpp: the npm `ws`
// package as an echo server or as a client checking an echo server.
//
//   node transport_echo_peer.js server        -> prints "LISTENING <port>", echoes every
//                                               message with its type (subprotocol sip)
//   node transport_echo_peer.js client <url> <count>
//        sends <count> messages (text, binary with octets that are not UTF-8, a 70 KB
//        text), checks each echo, checks the RFC 5626 keep-alive answer to "\r\n\r\n",
//        closes with 1000; prints "OK" or "FAIL <why>", then "CLOSE <code>".
'use strict';
const WebSocket = require('ws');
const out = (...a) => process.stdout.write(a.join(' ') + '\n');
const mode = process.argv[2];

if (mode === 'server') {
  const wss = new WebSocket.Server({
    host: '127.0.0.1', port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('listening', () => out('LISTENING', wss.address().port));
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
} else if (mode === 'client') {
  const url = process.argv[3];
  const count = parseInt(process.argv[4] || '10', 10);
  const ws = new WebSocket(url, ['sip']);
  const expected = [];
  for (let i = 0; i < count; ++i) {
    if (i % 3 === 0) expected.push({ bin: false, data: Buffer.from(`OPTIONS sip:${i}@x SIP/2.0\r\n\r\n`) });
    else if (i % 3 === 1) expected.push({ bin: true, data: Buffer.from([0xff, 0xfe, i & 255, 0x80]) });
    else expected.push({ bin: false, data: Buffer.from('é'.repeat(35000)) });
  }
  let got = 0;
  let crlf = false;
  const fail = (why) => { out('FAIL', why); ws.terminate(); };
  const timer = setTimeout(() => fail('timeout'), 20000);
  ws.on('open', () => {
    if (ws.protocol !== 'sip') return fail('protocol ' + ws.protocol);
    for (const e of expected) ws.send(e.data, { binary: e.bin });
  });
  ws.on('message', (data, isBinary) => {
    if (got < expected.length) {
      const e = expected[got++];
      if (e.bin !== isBinary || !e.data.equals(data)) return fail('echo ' + got);
      if (got === expected.length) ws.send('\r\n\r\n');
      return;
    }
    if (!crlf) {
      crlf = true;
      if (data.toString() !== '\r\n' || isBinary) return fail('crlf answer');
      out('OK');
      clearTimeout(timer);
      ws.close(1000, 'bye');
    }
  });
  ws.on('close', (code) => { out('CLOSE', code); process.exit(0); });
  ws.on('error', (e) => fail('error ' + e.message));
} else {
  out('usage');
  process.exit(2);
}
