#!/usr/bin/env node
// Probes how a SIP-over-WebSocket server answers opening handshakes
// (RFC 7118 section 4.1): without a subprotocol, with only a foreign one,
// and with "sip". One line per probe:
//   PROBE <name> HTTP <status>          refused before the upgrade
//   PROBE <name> OPEN protocol=<token>  upgraded (token "" when none chosen)
//   PROBE <name> ERROR <text>
//
//   node ws-handshake-probe.mjs --server URL [--ca FILE]
import WebSocket from 'ws';
import { parseArgs, emit, finish, wsOptions, UsageError } from './lib/cli.mjs';

const probes = [
  ['none', undefined],
  ['foreign', ['chat']],
  ['sip', ['sip']],
  ['foreign-then-sip', ['chat', 'sip']],
];

function probe(url, options, [name, protocols]) {
  return new Promise((resolve) => {
    let ws;
    try {
      ws = new WebSocket(url, protocols, options);
    } catch (e) {
      emit(`PROBE ${name} ERROR ${e.message}`);
      resolve();
      return;
    }
    const timer = setTimeout(() => { emit(`PROBE ${name} ERROR timeout`); ws.terminate(); resolve(); }, 5000);
    ws.on('unexpected-response', (req, res) => {
      clearTimeout(timer);
      emit(`PROBE ${name} HTTP ${res.statusCode}`);
      req.destroy();
      resolve();
    });
    ws.on('open', () => {
      clearTimeout(timer);
      emit(`PROBE ${name} OPEN protocol=${ws.protocol}`);
      ws.close(1000);
      ws.on('close', () => resolve());
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      emit(`PROBE ${name} ERROR ${e.message}`);
      resolve();
    });
  });
}

try {
  const { opts } = parseArgs(process.argv.slice(2));
  if (!opts.server || !/^wss?:\/\//.test(opts.server)) throw new UsageError('--server ws(s)://HOST:PORT is required');
  const options = wsOptions(opts);
  for (const p of probes) await probe(opts.server, options, p);
  finish(0);
} catch (e) {
  emit(`ERROR ${e.message}`);
  finish(2);
}
