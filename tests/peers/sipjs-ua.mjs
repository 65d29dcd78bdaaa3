#!/usr/bin/env node
// A command-line SIP user agent on SIP.js (0.21) for tests against any
// SIP-over-WebSocket server (RFC 7118). SIP.js's web transport uses the
// global WebSocket; in Node it is the `ws` package's class, opened with the
// "sip" subprotocol and, for wss, the CA given with --ca.
//
//   node sipjs-ua.mjs --server URL --aor URI [--password P] [--ca FILE]
//        [--user NAME] [--instance-id UUID] [--expires N] [--timeout S]
//        [--verbose] COMMAND
//
// Commands, output lines and exit status are those of jssip-ua.mjs:
//   register | message --to URI --text TEXT [--register] | listen [--count N] [--duration S]
import WS from 'ws';
import { UserAgent, Registerer, RegistererState, Messager } from 'sip.js';
import { parseArgs, emit, EXIT, finish, wsOptions, requireCommon, seconds, UsageError } from './lib/cli.mjs';

async function main() {
  const { opts, positional } = parseArgs(process.argv.slice(2), ['verbose', 'register', 'help']);
  if (opts.help) {
    emit('usage: sipjs-ua.mjs --server URL --aor URI [--password P] [--ca FILE] register|message|listen');
    return finish(EXIT.ok);
  }
  requireCommon(opts);
  const command = positional[0];
  if (!['register', 'message', 'listen'].includes(command)) throw new UsageError('command must be register, message or listen');
  if (command === 'message' && (!opts.to || opts.text === undefined)) throw new UsageError('message needs --to URI --text TEXT');
  const timeout = seconds(opts, 'timeout', 15);
  const duration = opts.duration !== undefined ? seconds(opts, 'duration', 0) : 0;
  const count = opts.count !== undefined ? Number(opts.count) : 0;
  if (!Number.isInteger(count) || count < 0) throw new UsageError('--count must be a whole number');

  const wsOpts = wsOptions(opts);
  let opened = false;
  globalThis.WebSocket = class extends WS {
    constructor(url, protocols) {
      super(url, protocols, wsOpts);
      this.on('open', () => { opened = true; });
      this.on('error', (err) => emit(`TRANSPORT_ERROR ${err.message}`));
    }
  };

  const uri = UserAgent.makeURI(opts.aor);
  if (!uri) throw new UsageError(`bad --aor ${opts.aor}`);
  const target = command === 'message' ? UserAgent.makeURI(opts.to) : undefined;
  if (command === 'message' && !target) throw new UsageError(`bad --to ${opts.to}`);

  let received = 0;
  let done = false;
  let registerer;
  let contactName = '';
  const ua = new UserAgent({
    uri,
    transportOptions: { server: opts.server, connectionTimeout: 10 },
    authorizationUsername: opts.user !== undefined ? opts.user : uri.user,
    authorizationPassword: opts.password,
    userAgentString: 'sipws-test-sipjs',
    instanceId: opts['instance-id'],
    displayName: opts['display-name'],
    logLevel: opts.verbose ? 'debug' : 'error',
    logBuiltinEnabled: !!opts.verbose,
    delegate: {
      onConnect: () => emit(`CONNECTED ${opts.server}`),
      onDisconnect: (error) => {
        if (done) return;
        emit(`DISCONNECTED${error ? ` ${error.message}` : ''}`);
        end(EXIT.transport);
      },
      onMessage: (message) => {
        const req = message.request;
        const text = (req.body || '').replace(/\r?\n/g, ' ');
        message.accept().catch(() => {});
        emit(`MESSAGE from ${req.from.uri.toString()}: ${text}`);
        ++received;
        if (command === 'listen' && count > 0 && received >= count) {
          if (timer) clearTimeout(timer);
          setTimeout(() => end(EXIT.ok), 100);
        }
      },
    },
  });

  async function end(code) {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    try {
      if (registerer && registerer.state === RegistererState.Registered) {
        await Promise.race([
          new Promise((resolve) => {
            registerer.stateChange.addListener((s) => { if (s === RegistererState.Unregistered) resolve(); });
            registerer.unregister().catch(resolve);
          }).then(() => emit('UNREGISTERED')),
          new Promise((resolve) => setTimeout(resolve, 2000)),
        ]);
      }
      await Promise.race([ua.stop(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    } catch { /* stopping anyway */ }
    finish(code);
  }

  const timer = command === 'listen'
    ? (duration > 0 ? setTimeout(() => end(count > 0 && received < count ? EXIT.timeout : EXIT.ok), duration) : null)
    : setTimeout(() => { emit(`ERROR timeout after ${timeout / 1000} s`); end(EXIT.timeout); }, timeout);
  process.on('SIGINT', () => end(EXIT.ok));
  process.on('SIGTERM', () => end(EXIT.ok));

  try {
    await ua.start();
  } catch (e) {
    emit(`CONNECT_FAILED ${opts.server}${opened ? '' : ''}`);
    return end(EXIT.transport);
  }

  const register = () => new Promise((resolve) => {
    const expires = opts.expires !== undefined ? Number(opts.expires) : 600;
    registerer = new Registerer(ua, { expires });
    contactName = ua.contact.uri.user;
    registerer.register({
      requestDelegate: {
        onAccept: (response) => {
          const m = response.message;
          const contacts = m.getHeaders('contact');
          const ours = contacts.find((c) => contactName && c.includes(`sip:${contactName}@`)) || '';
          const match = /;\s*expires=(\d+)/i.exec(ours);
          const expires = match ? match[1] : m.getHeader('Expires') || '';
          emit(`REGISTERED expires=${expires} bindings=${contacts.length}`);
          resolve(true);
        },
        onReject: (response) => {
          const m = response.message;
          emit(`REGISTRATION_FAILED ${m.statusCode} ${m.reasonPhrase || ''}`.trim());
          resolve(false);
        },
      },
    }).catch((e) => {
      emit(`REGISTRATION_FAILED 0 ${e.message}`);
      resolve(false);
    });
  });

  if (command === 'register' || command === 'listen' || opts.register) {
    if (!(await register())) return end(EXIT.sip);
    if (command === 'register') return end(EXIT.ok);
    if (command === 'listen') {
      emit('LISTENING');
      return undefined;
    }
  }

  const messager = new Messager(ua, target, String(opts.text), 'text/plain');
  try {
    await messager.message({
      requestDelegate: {
        onAccept: (response) => {
          emit(`MESSAGE_SENT ${response.message.statusCode}`);
          end(EXIT.ok);
        },
        onReject: (response) => {
          const m = response.message;
          emit(`MESSAGE_FAILED ${m.statusCode} ${m.reasonPhrase || ''}`.trim());
          end(EXIT.sip);
        },
      },
    });
  } catch (e) {
    emit(`MESSAGE_FAILED 0 ${e.message}`);
    end(EXIT.transport);
  }
  return undefined;
}

main().catch((e) => {
  if (e instanceof UsageError) {
    emit(`ERROR ${e.message}`);
    finish(EXIT.usage);
  } else {
    emit(`ERROR ${e && e.message ? e.message : e}`);
    finish(EXIT.sip);
  }
});
