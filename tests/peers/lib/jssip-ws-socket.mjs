// A JsSIP socket (the interface of JsSIP.WebSocketInterface) on the `ws`
// package, so JsSIP runs in Node: subprotocol "sip", optional CA for wss.
import WebSocket from 'ws';

export class JsSIPNodeSocket {
  /// \p url is ws://host[:port][/path] or wss://...; \p options go to `ws`
  /// (e.g. { ca }). \p log receives one line per transport event.
  constructor(url, options = {}, log = () => {}) {
    const u = new URL(url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${url}`);
    this._url = url;
    this._options = options;
    this._log = log;
    this._ws = null;
    this._via_transport = u.protocol === 'wss:' ? 'WSS' : 'WS';
    const host = u.hostname.startsWith('[') ? u.hostname : u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname;
    this._sip_uri = `sip:${host}${u.port ? `:${u.port}` : ''};transport=ws`;
    this.onconnect = () => {};
    this.ondisconnect = () => {};
    this.ondata = () => {};
  }

  get via_transport() { return this._via_transport; }
  set via_transport(v) { this._via_transport = String(v).toUpperCase(); }
  get url() { return this._url; }
  /** The WebSocket extensions the server agreed to ('' when none or not open). */
  get extensions() { return this._ws ? this._ws.extensions : ''; }
  get sip_uri() { return this._sip_uri; }

  connect() {
    if (this._ws && (this._ws.readyState === WebSocket.OPEN || this._ws.readyState === WebSocket.CONNECTING)) return;
    if (this._ws) this.disconnect();
    const ws = new WebSocket(this._url, 'sip', this._options);
    this._ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      if (ws.protocol !== 'sip') {
        this._log(`TRANSPORT_ERROR server did not select the sip subprotocol`);
        ws.terminate();
        return;
      }
      this.onconnect();
    });
    ws.on('message', (data, isBinary) => {
      // JsSIP parses strings; SIP is UTF-8 in text and binary frames alike.
      this.ondata(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data).toString('utf8'));
      void isBinary;
    });
    ws.on('error', (err) => this._log(`TRANSPORT_ERROR ${err.message}`));
    ws.on('close', (code, reason) => {
      if (this._ws !== ws) return;
      this._ws = null;
      this.ondisconnect(!opened || code === 1006, code, reason.toString());
    });
  }

  disconnect() {
    const ws = this._ws;
    if (!ws) return;
    this._ws = null;
    ws.removeAllListeners('close');
    ws.on('error', () => {});
    this._closing = new Promise((resolve) => ws.once('close', resolve));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
  }

  /// Closes the connection with a Close frame and resolves when it is closed
  /// (or after \p ms).
  close(ms = 1000) {
    this.disconnect();
    const closing = this._closing || Promise.resolve();
    this._closing = null;
    return Promise.race([closing, new Promise((resolve) => setTimeout(resolve, ms))]);
  }

  send(message) {
    if (!this._ws || this._ws.readyState !== WebSocket.OPEN) return false;
    this._ws.send(message);
    return true;
  }

  isConnected() { return !!this._ws && this._ws.readyState === WebSocket.OPEN; }
  isConnecting() { return !!this._ws && this._ws.readyState === WebSocket.CONNECTING; }
}
