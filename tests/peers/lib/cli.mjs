// Small shared pieces of the Node SIP user agents in tests/peers: argument
// parsing, one-line event output, exit handling and WebSocket options.
import fs from 'node:fs';

/// Parses "--name value" pairs and positional words. Flags listed in
/// \p booleans take no value.
export function parseArgs(argv, booleans = []) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      let name;
      let value;
      if (eq > 0) {
        name = a.slice(2, eq);
        value = a.slice(eq + 1);
      } else {
        name = a.slice(2);
        if (booleans.includes(name)) {
          value = true;
        } else {
          if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
          value = argv[++i];
        }
      }
      opts[name] = value;
    } else {
      positional.push(a);
    }
  }
  return { opts, positional };
}

export class UsageError extends Error {}

/// Prints one event line on stdout (the machine-readable interface).
export function emit(line) {
  process.stdout.write(`${line}\n`);
}

/// Exit codes shared by the user agents.
export const EXIT = { ok: 0, sip: 1, usage: 2, transport: 3, timeout: 4 };

/// Writes pending output, then exits.
export function finish(code) {
  process.stdout.write('', () => process.exit(code));
}

/// Options for the `ws` package: the subprotocol and, for wss, a CA.
export function wsOptions(opts) {
  const o = { handshakeTimeout: 10000 };
  if (opts.ca) {
    try {
      o.ca = fs.readFileSync(opts.ca);
    } catch (e) {
      throw new UsageError(`cannot read --ca ${opts.ca}: ${e.message}`);
    }
  }
  return o;
}

/// Validates the options every user agent needs.
export function requireCommon(opts) {
  if (!opts.server || !/^wss?:\/\//i.test(opts.server))
    throw new UsageError('--server ws://HOST:PORT[/PATH] or wss://... is required');
  if (!opts.aor || !/^sips?:[^@\s]+@[^\s]+$/i.test(opts.aor))
    throw new UsageError('--aor sip:USER@DOMAIN is required');
}

/// Seconds option with a default, as milliseconds.
export function seconds(opts, name, dflt) {
  if (opts[name] === undefined) return dflt * 1000;
  const v = Number(opts[name]);
  if (!Number.isFinite(v) || v < 0) throw new UsageError(`--${name} must be a number of seconds`);
  return v * 1000;
}
