// Peer for tests/integration/transport_interop_test.cpp: the npm `ws`
// package as an echo server or as a client checking an echo server.
//
//   node transport_echo_peer.js server [compression]
//        prints "LISTENING <port>", echoes every message with its type (subprotocol
//        sip); per connection prints "EXT <extensions agreed or ->" and, at its close,
//        "RX <octets read from TCP> <octets of the messages>".
//   node transport_echo_peer.js client <url> <count> [compression]
//        sends <count> messages (text, binary with octets that are not UTF-8, a 70 KB
//        text, and with compression a SIP INVITE of a few KiB), checks each echo, checks
//        the RFC 5626 keep-alive answer to "\r\n\r\n", closes with 1000; prints "OK" or
//        "FAIL <why>", "EXT ...", "RX ..." as the server does, then "CLOSE <code>".
//   [compression]: none (default: the client offers ws's default, the server declines),
//        "deflate" (permessage-deflate, every message compressed) or "deflate-reset"
//        (the same with no context takeover both ways and smaller windows).
'use strict';
const WebSocket = require('ws');
const out = (...a) => process.stdout.write(a.join(' ') + '\n');
const mode = process.argv[2];

function deflateOptions(name) {
  if (name === 'deflate') return { threshold: 0 };
  if (name === 'deflate-reset') {
    return {
      threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true,
      serverMaxWindowBits: 10, clientMaxWindowBits: 11,
    };
  }
  return undefined;
}

function invite(i) {
  let m = `INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK${i}\r\n` +
    'From: <sip:alice@example.com>;tag=' + i + '\r\nTo: <sip:bob@example.com>\r\nCall-ID: ' + i +
    '@example.com\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n';
  let sdp = 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n';
  for (let k = 0; sdp.length < 3500; ++k) sdp += `a=candidate:${k} 1 udp 2122260223 192.0.2.${k % 250} ${50000 + k} typ host\r\n`;
  return m + `Content-Length: ${sdp.length}\r\n\r\n` + sdp;
}

if (mode === 'server') {
  const wss = new WebSocket.Server({
    host: '127.0.0.1', port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    perMessageDeflate: deflateOptions(process.argv[3]) || false,
  });
  wss.on('listening', () => out('LISTENING', wss.address().port));
  wss.on('connection', (ws) => {
    out('EXT', ws.extensions || '-');
    let rx = 0;
    let payload = 0;
    ws.on('message', (data, isBinary) => {
      rx = ws._socket.bytesRead;
      payload += data.length;
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', () => out('RX', rx, payload));
  });
} else if (mode === 'client') {
  const url = process.argv[3];
  const count = parseInt(process.argv[4] || '10', 10);
  const compression = deflateOptions(process.argv[5]);
  const ws = new WebSocket(url, ['sip'], compression ? { perMessageDeflate: compression } : {});
  const expected = [];
  for (let i = 0; i < count; ++i) {
    if (i % 3 === 0) expected.push({ bin: false, data: Buffer.from(`OPTIONS sip:${i}@x SIP/2.0\r\n\r\n`) });
    else if (i % 3 === 1) expected.push({ bin: true, data: Buffer.from([0xff, 0xfe, i & 255, 0x80]) });
    else expected.push({ bin: false, data: Buffer.from('é'.repeat(35000)) });
    if (compression) expected.push({ bin: false, data: Buffer.from(invite(i)) });
  }
  let rx = 0;
  let payload = 0;
  let got = 0;
  let crlf = false;
  const fail = (why) => { out('FAIL', why); ws.terminate(); };
  const timer = setTimeout(() => fail('timeout'), 20000);
  ws.on('open', () => {
    if (ws.protocol !== 'sip') return fail('protocol ' + ws.protocol);
    for (const e of expected) ws.send(e.data, { binary: e.bin });
  });
  ws.on('message', (data, isBinary) => {
    rx = ws._socket.bytesRead;
    payload += data.length;
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
      out('EXT', ws.extensions || '-');
      out('RX', rx, payload);
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
