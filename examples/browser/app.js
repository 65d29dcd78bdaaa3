// sipws browser demo: register over SIP-over-WebSocket (RFC 7118), see who is
// online, chat with MESSAGE and make audio calls, with JsSIP.
//
// Query parameters:
//   ?server=ws(s)://host:port/path   WebSocket server (default: the server
//                                    this page was served from)
//   ?domain=NAME                     SIP domain of the users (default: the
//                                    page's host name, or sipws.test for an
//                                    IP address or localhost)
//   ?name=alice&password=...         fill the form (and ?autoregister=1)
//
// Element ids and the data-state attributes of #reg-status, #chat-status and
// #call-status are stable: tests drive the page through them.
import JsSIP from 'jssip';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

function defaultServer() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/`;
}

function defaultDomain() {
  const h = location.hostname;
  if (!h || h === 'localhost' || /^[0-9.]+$/.test(h) || h.includes(':') || h.startsWith('[')) return 'sipws.test';
  return h;
}

const server = params.get('server') || defaultServer();
let ua = null;
let session = null;
let onlineTimer = null;

function setStatus(id, state, text) {
  const el = $(id);
  el.dataset.state = state;
  el.textContent = text;
}

/// "bob" -> sip:bob@<domain>; "bob@example.org" -> sip:bob@example.org.
function targetUri(input) {
  const t = input.trim();
  if (/^sips?:/i.test(t)) return t;
  if (t.includes('@')) return `sip:${t}`;
  return `sip:${t}@${$('domain').value.trim()}`;
}

/// A stable instance id per AOR (RFC 5626 +sip.instance), kept in localStorage.
function instanceId(aor) {
  const key = `sipws-demo-instance-id:${aor}`;
  let id = null;
  try {
    id = localStorage.getItem(key);
  } catch {
    // Storage may be disabled; a fresh id per load still works.
  }
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) {
    id = crypto.randomUUID ? crypto.randomUUID() : JsSIP.Utils.newUUID();
    try {
      localStorage.setItem(key, id);
    } catch {
      // See above.
    }
  }
  return id;
}

function setRegistered(on) {
  $('chat-send').disabled = !on;
  $('call').disabled = !on || !!session;
  $('unregister').disabled = !on;
  $('register').disabled = on;
  if (on) startOnline();
  else stopOnline();
}

function start(event) {
  event.preventDefault();
  const name = $('name').value.trim();
  const domain = $('domain').value.trim();
  if (!name || !domain) return;
  if (ua) stop();
  const aor = `sip:${name}@${domain}`;
  let socket;
  try {
    socket = new JsSIP.WebSocketInterface(server);
  } catch (e) {
    setStatus('reg-status', 'failed', `Bad server URL: ${server}`);
    return;
  }
  const config = {
    sockets: [socket],
    uri: aor,
    register: true,
    register_expires: 300,
    session_timers: false,
    instance_id: instanceId(aor),
    user_agent: 'sipws-demo (JsSIP)',
  };
  const password = $('password').value;
  if (password) config.password = password;
  try {
    ua = new JsSIP.UA(config);
  } catch (e) {
    setStatus('reg-status', 'failed', `Bad configuration: ${e.message}`);
    return;
  }
  setStatus('reg-status', 'registering', `Registering ${aor}…`);
  $('register').disabled = true;

  ua.on('disconnected', () => {
    if ($('reg-status').dataset.state !== 'failed') setStatus('reg-status', 'registering', 'Connection lost, retrying…');
    setRegistered(false);
    $('register').disabled = true;
  });
  ua.on('registered', () => {
    setStatus('reg-status', 'registered', `Registered as ${aor}`);
    setRegistered(true);
  });
  ua.on('unregistered', () => {
    setStatus('reg-status', 'unregistered', 'Not registered');
    setRegistered(false);
  });
  ua.on('registrationFailed', (e) => {
    const code = e.response ? `${e.response.status_code} ` : '';
    setStatus('reg-status', 'failed', `Registration failed: ${code}${e.cause}`);
    setRegistered(false);
    if (ua) {
      ua.stop();
      ua = null;
    }
  });
  ua.on('newMessage', (e) => {
    if (e.originator !== 'remote') return;
    const from = e.request.from.uri.toString();
    addChat('in', from, e.request.body || '');
    // Make replying easy.
    if (!$('chat-to').value) $('chat-to').value = from.replace(/^sips?:/i, '');
  });
  ua.on('newRTCSession', (e) => {
    if (e.originator !== 'remote') return;
    if (session) {
      e.session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    attachSession(e.session);
    setStatus('call-status', 'incoming', `Incoming call from ${e.request.from.uri.toString()}`);
    $('answer').disabled = false;
  });
  ua.start();
}

function stop() {
  if (session) session.terminate();
  if (ua) {
    const old = ua;
    ua = null;
    old.removeAllListeners();
    old.stop();
  }
  setStatus('reg-status', 'unregistered', 'Not registered');
  setRegistered(false);
}

function addChat(direction, peer, text) {
  const li = document.createElement('li');
  li.className = direction;
  li.dataset.peer = peer;
  li.textContent = direction === 'in' ? `${peer}: ${text}` : `to ${peer}: ${text}`;
  $('chat-log').appendChild(li);
  li.scrollIntoView({ block: 'nearest' });
}

function sendChat(event) {
  event.preventDefault();
  if (!ua) return;
  const to = targetUri($('chat-to').value);
  const text = $('chat-text').value;
  setStatus('chat-status', 'sending', `Sending to ${to}…`);
  ua.sendMessage(to, text, {
    eventHandlers: {
      succeeded: () => {
        setStatus('chat-status', 'sent', `Delivered to ${to}`);
        addChat('out', to, text);
        $('chat-text').value = '';
      },
      failed: (e) => {
        const code = e.response ? `${e.response.status_code} ` : '';
        setStatus('chat-status', 'failed', `Not delivered: ${code}${e.cause}`);
      },
    },
  });
}

const mediaOptions = {
  mediaConstraints: { audio: true, video: false },
  // Signalling tests run on loopback: host candidates only, no STUN.
  pcConfig: { iceServers: [] },
};

function attachSession(s) {
  session = s;
  $('call').disabled = true;
  $('hangup').disabled = false;
  const onPeerConnection = (pc) => {
    pc.addEventListener('track', (ev) => {
      const audio = $('remote-audio');
      audio.srcObject = ev.streams[0] || new MediaStream([ev.track]);
    });
  };
  if (s.connection) onPeerConnection(s.connection);
  s.on('peerconnection', (e) => onPeerConnection(e.peerconnection));
  s.on('progress', () => {
    if (s.direction === 'outgoing') setStatus('call-status', 'ringing', 'Ringing…');
  });
  s.on('accepted', () => setStatus('call-status', 'accepted', 'Answered, connecting…'));
  s.on('confirmed', () => {
    setStatus('call-status', 'confirmed', `In call with ${s.remote_identity.uri.toString()}`);
    $('answer').disabled = true;
  });
  s.on('ended', (e) => endSession('ended', `Call ended (${e.cause})`));
  s.on('failed', (e) => {
    const code = e.message && e.message.status_code ? `${e.message.status_code} ` : '';
    endSession('failed', `Call failed: ${code}${e.cause}`);
  });
}

function endSession(state, text) {
  setStatus('call-status', state, text);
  session = null;
  $('answer').disabled = true;
  $('hangup').disabled = true;
  $('call').disabled = !(ua && ua.isRegistered());
  $('remote-audio').srcObject = null;
}

function call(event) {
  event.preventDefault();
  if (!ua || session) return;
  const to = targetUri($('call-to').value);
  setStatus('call-status', 'calling', `Calling ${to}…`);
  try {
    attachSession(ua.call(to, mediaOptions));
  } catch (e) {
    endSession('failed', `Call failed: ${e.message}`);
  }
}

function answer() {
  if (session && session.direction === 'incoming' && !session.isEstablished()) {
    $('answer').disabled = true;
    setStatus('call-status', 'accepted', 'Answering…');
    session.answer(mediaOptions);
  }
}

function hangup() {
  if (session) session.terminate();
}

async function refreshOnline() {
  const section = $('online-section');
  try {
    const res = await fetch('/online', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const list = await res.json();
    if (!Array.isArray(list)) throw new Error('not a list');
    const ul = $('online');
    ul.replaceChildren();
    for (const aor of list) {
      if (typeof aor !== 'string') continue;
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = aor;
      b.addEventListener('click', () => {
        const short = aor.replace(/^sips?:/i, '');
        $('chat-to').value = short;
        $('call-to').value = short;
      });
      li.appendChild(b);
      ul.appendChild(li);
    }
    section.hidden = false;
  } catch {
    // The server does not publish who is online: leave the list out.
    section.hidden = true;
  }
}

function startOnline() {
  stopOnline();
  refreshOnline();
  onlineTimer = setInterval(refreshOnline, 5000);
}

function stopOnline() {
  if (onlineTimer) clearInterval(onlineTimer);
  onlineTimer = null;
}

$('server-url').textContent = server;
$('domain').value = params.get('domain') || defaultDomain();
if (params.get('name')) $('name').value = params.get('name');
if (params.get('password')) $('password').value = params.get('password');
$('login-form').addEventListener('submit', start);
$('unregister').addEventListener('click', () => {
  if (ua) ua.unregister({ all: false });
});
$('chat-form').addEventListener('submit', sendChat);
$('call-form').addEventListener('submit', call);
$('answer').addEventListener('click', answer);
$('hangup').addEventListener('click', hangup);
window.addEventListener('beforeunload', () => {
  if (ua) ua.stop();
});
// For tests and the console.
window.sipwsDemo = {
  get ua() { return ua; },
  get session() { return session; },
  server,
};
if (params.get('autoregister') === '1' && $('name').value) {
  $('login-form').requestSubmit();
}
