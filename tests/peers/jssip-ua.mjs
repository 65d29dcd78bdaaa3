#!/usr/bin/env node
// A command-line SIP user agent on JsSIP over a `ws` socket, for tests
// against any SIP-over-WebSocket server (RFC 7118).
//
//   node jssip-ua.mjs --server URL --aor URI [--password P] [--ca FILE]
//        [--user NAME] [--instance-id UUID] [--expires N] [--timeout S]
//        [--verbose] COMMAND
//
// Commands:
//   register                       register, print REGISTERED, unregister, exit 0
//   message --to URI --text TEXT   send one MESSAGE (add --register to register first)
//   listen [--count N] [--duration S]
//                                  stay registered; print each MESSAGE received
//
// One line per event on stdout:
//   CONNECTED <url> | CONNECT_FAILED <url> | DISCONNECTED <code>
//   EXTENSIONS <agreed WebSocket extensions, or -> (after CONNECTED; the
//   `ws` socket offers permessage-deflate, as browsers do)
//   REGISTERED expires=<s> bindings=<n> | GRUU pub=<uri> temp=<uri>
//   REGISTRATION_FAILED <code> <cause> | UNREGISTERED
//   MESSAGE_SENT <code> | MESSAGE_FAILED <code> <cause>
//   MESSAGE from <uri>: <text>
//   ERROR <text>
// Exit status: 0 success, 1 SIP failure, 2 usage, 3 transport failure, 4 timeout.
import JsSIP from 'jssip';
import { parseArgs, emit, EXIT, finish, wsOptions, requireCommon, seconds, UsageError } from './lib/cli.mjs';
import { JsSIPNodeSocket } from './lib/jssip-ws-socket.mjs';

function main() {
  const { opts, positional } = parseArgs(process.argv.slice(2), ['verbose', 'register', 'help']);
  if (opts.help) {
    emit('usage: jssip-ua.mjs --server URL --aor URI [--password P] [--ca FILE] register|message|listen');
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
  if (opts.verbose) JsSIP.debug.enable('JsSIP:*');
  else JsSIP.debug.disable();

  const socket = new JsSIPNodeSocket(opts.server, wsOptions(opts), (l) => emit(l));
  const config = {
    sockets: [socket],
    uri: opts.aor,
    register: false,
    register_expires: opts.expires !== undefined ? Number(opts.expires) : 600,
    session_timers: false,
    user_agent: 'sipws-test-jssip',
    connection_recovery_min_interval: 2,
    connection_recovery_max_interval: 4,
  };
  if (opts.password !== undefined) config.password = opts.password;
  if (opts.user !== undefined) config.authorization_user = opts.user;
  if (opts['instance-id'] !== undefined) config.instance_id = opts['instance-id'];
  if (opts['display-name'] !== undefined) config.display_name = opts['display-name'];

  let ua;
  try {
    ua = new JsSIP.UA(config);
  } catch (e) {
    throw new UsageError(`bad configuration: ${e.message}`);
  }

  let connected = false;
  let done = false;
  let received = 0;
  const end = (code) => {
    if (done) return;
    done = true;
    const stop = () => {
      ua.removeAllListeners();
      try { ua.stop(); } catch { /* already stopped */ }
      // Close with a Close frame, as a browser would, before exiting.
      socket.close(1000).then(() => finish(code));
    };
    if (ua.isRegistered() && command !== 'message') {
      // Remove our binding so servers do not keep a dead flow.
      const t = setTimeout(stop, 2000);
      ua.once('unregistered', () => { emit('UNREGISTERED'); clearTimeout(t); stop(); });
      ua.unregister();
    } else {
      stop();
    }
  };

  const timer = command === 'listen'
    ? (duration > 0 ? setTimeout(() => end(count > 0 && received < count ? EXIT.timeout : EXIT.ok), duration) : null)
    : setTimeout(() => { emit(`ERROR timeout after ${timeout / 1000} s`); end(EXIT.timeout); }, timeout);

  ua.on('connected', () => {
    connected = true;
    emit(`CONNECTED ${opts.server}`);
    emit(`EXTENSIONS ${socket.extensions || '-'}`);
  });
  ua.on('disconnected', (e) => {
    if (done) return;
    if (!connected) {
      emit(`CONNECT_FAILED ${opts.server}`);
      end(EXIT.transport);
      return;
    }
    emit(`DISCONNECTED ${e && e.code !== undefined ? e.code : ''}`.trim());
    end(EXIT.transport);
  });
  ua.on('registered', (e) => {
    emit(registeredLine(e.response));
    if (ua.contact.pub_gruu || ua.contact.temp_gruu)
      emit(`GRUU pub=${ua.contact.pub_gruu || '-'} temp=${ua.contact.temp_gruu || '-'}`);
    if (command === 'register') {
      if (timer) clearTimeout(timer);
      end(EXIT.ok);
    } else if (command === 'listen') {
      emit('LISTENING');
    } else if (command === 'message') {
      sendMessage();
    }
  });
  ua.on('registrationFailed', (e) => {
    const code = e.response ? e.response.status_code : 0;
    emit(`REGISTRATION_FAILED ${code} ${e.cause || ''}`.trim());
    if (timer) clearTimeout(timer);
    end(EXIT.sip);
  });
  ua.on('newMessage', (e) => {
    if (e.originator !== 'remote') return;
    const from = e.request.from.uri.toString();
    const text = (e.request.body || '').replace(/\r?\n/g, ' ');
    emit(`MESSAGE from ${from}: ${text}`);
    ++received;
    if (command === 'listen' && count > 0 && received >= count) {
      if (timer) clearTimeout(timer);
      // Let JsSIP send its 200 first.
      setTimeout(() => end(EXIT.ok), 100);
    }
  });

  // "REGISTERED expires=<our binding's expiry> bindings=<contacts in the 200>".
  function registeredLine(response) {
    if (!response || !response.hasHeader('Contact')) return 'REGISTERED';
    const contacts = response.headers.Contact.reduce((a, b) => a.concat(b.parsed || []), []);
    const ours = contacts.find((c) => c && c.uri && c.uri.user === ua.contact.uri.user);
    const expires = (ours && ours.getParam('expires')) || response.getHeader('Expires') || '';
    return `REGISTERED expires=${expires} bindings=${contacts.length}`;
  }

  function sendMessage() {
    ua.sendMessage(opts.to, String(opts.text), {
      contentType: 'text/plain',
      eventHandlers: {
        succeeded: (e) => {
          emit(`MESSAGE_SENT ${e.response ? e.response.status_code : ''}`.trim());
          if (timer) clearTimeout(timer);
          end(EXIT.ok);
        },
        failed: (e) => {
          const code = e.response ? e.response.status_code : 0;
          emit(`MESSAGE_FAILED ${code} ${e.cause || ''}`.trim());
          if (timer) clearTimeout(timer);
          end(code ? EXIT.sip : EXIT.transport);
        },
      },
    });
  }

  const onSignal = () => end(EXIT.ok);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  ua.start();
  if (command === 'register' || command === 'listen' || opts.register) {
    ua.once('connected', () => ua.register());
  } else {
    ua.once('connected', () => sendMessage());
  }
}

try {
  main();
} catch (e) {
  if (e instanceof UsageError) {
    emit(`ERROR ${e.message}`);
    finish(EXIT.usage);
  } else {
    emit(`ERROR ${e && e.stack ? e.stack.split('\n')[0] : e}`);
    finish(EXIT.sip);
  }
}
