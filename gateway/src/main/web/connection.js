// The connection to /v1/docs: one sharedb Connection for every document of the page, which
// reconnects by itself (with backoff, and with a fresh token when the old one expired) and can
// be taken offline on purpose; the status badge says which. Tandem's extensions of the protocol
// (token renewal, edit locks) go over the same socket, and their messages are taken out before
// the sharedb client sees them.
'use strict';
const ShareDB = require('sharedb/lib/client');
const {$, notice, denied} = require('./page.js');

class Link {
  constructor(token) {
    this.token = token;
    this.offline = false;
    this.delay = 250;
    this.connection = null;
    this.docs = [];
    /** Handlers of Tandem's messages by action: 'auth' here, 'lock', 'unlock' and 'locks' for locks.js. */
    this.extensions = new Map();
    this.handle('auth', (m) => this.onAuth(m));
    this.open();
    setInterval(() => this.render(), 250);
    // A fresh token goes to the open connection at once (it replaces the grants, too).
    token.onChange((t) => this.send({a: 'auth', token: t}));
  }

  url() {
    // Ops are recorded as made by the token's user (its sub); the token rides as a subprotocol.
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/docs';
  }

  open() {
    const socket = new WebSocket(this.url(), this.token.protocols());
    socket.addEventListener('open', () => { this.delay = 250; });
    socket.addEventListener('close', (e) => {
      if (this.offline || socket !== this.connection.socket) return;
      // 4401: the token expired; a fresh one first, then the same reconnect.
      const again = () => { if (!this.offline) this.open(); };
      setTimeout(() => (e.code === 4401 ? this.token.fetch().then(again, (x) => notice(x.message)) : again()), this.delay);
      this.delay = Math.min(5000, this.delay * 2);
    });
    if (this.connection) {
      this.connection.bindToSocket(socket);
      return;
    }
    this.connection = new ShareDB.Connection(socket);
    // Who published each presence, as the server admitted them (their token's user and name):
    // the sharedb client hands on only the value, whose own name is whatever that client says.
    this.publishers = new Map();
    this.connection.on('receive', (request) => {
      const m = request.data;
      if (!m) return;
      const handlers = this.extensions.get(m.a);
      if (handlers) {
        request.data = null; // not for the sharedb client, which would warn of an unknown message
        handlers.forEach((h) => h(m));
      } else if (m.a === 'p' && m.user && typeof m.id === 'string') {
        this.publishers.set(m.ch + '\n' + m.id, m.user);
      }
    });
  }

  /** Gives `handler` every message of Tandem's with action `a`; the sharedb client never sees them. */
  handle(a, handler) {
    if (!this.extensions.has(a)) this.extensions.set(a, []);
    this.extensions.get(a).push(handler);
  }

  /** Tandem's auth extension: a notice before the token expires, answered with a fresh one. */
  onAuth(m) {
    if (m.expiring !== undefined) this.token.refresh();
    else if (m.error) notice('Your session was not renewed: ' + m.error.message);
  }

  /** Sends one of Tandem's messages now; false when offline (the caller repeats it once connected). */
  send(message) {
    if (!this.connection.canSend) return false;
    this.connection.send(message);
    return true;
  }

  /** The name to show for presence {@code id} in channel {@code ch}: the server's, with what the value claims when it differs. */
  publisher(ch, id, value) {
    const user = this.publishers.get(ch + '\n' + id);
    const claimed = value && typeof value.name === 'string' ? value.name : '';
    if (!user) return claimed || '?';
    const shown = user.name || user.id;
    return claimed && claimed !== shown && claimed !== user.id ? claimed + ' (' + shown + ')' : shown;
  }

  /**
   * Document `collection/id`, subscribed, and created from `initial()` ([data, type]) when it
   * does not exist yet and the user may write. `what` names it in notices.
   *
   * Two people who open a new document at the same moment both create it: the server commits
   * the first create and refuses the second (ERR_DOC_ALREADY_CREATED, "Document was created
   * remotely"). The sharedb client then drops its own create and fetches the other one (its
   * rollback), staying subscribed; when the other's create reached it first, the refusal comes
   * after that, with no op left to call back, as a document error. Neither is an error for
   * the user: the document is there, as the other person made it.
   */
  doc(collection, id, {writable, initial, what}) {
    const doc = this.connection.get(collection, id);
    this.docs.push(doc);
    const created = (err) => err && err.code === 'ERR_DOC_ALREADY_CREATED';
    doc.on('error', (err) => { if (!created(err)) denied(err, what); });
    doc.subscribe((err) => {
      if (err) return denied(err, what);
      if (!doc.type && writable) doc.create(...initial(), (e) => { if (!created(e)) denied(e, what); });
    });
    return doc;
  }

  setOffline(offline) {
    this.offline = offline;
    if (offline) this.connection.socket.close();
    else this.open();
    this.render();
  }

  pending() {
    return this.docs.reduce((n, d) => n + d.pendingOps.length + (d.inflightOp ? 1 : 0), 0);
  }

  state() {
    const pending = this.pending();
    if (this.offline) return {cls: 'offline', text: 'offline' + (pending ? ' · ' + pending + ' pending edit' + (pending > 1 ? 's' : '') : '')};
    if (this.connection.state === 'connected') return {cls: 'online', text: 'online' + (pending ? ' · sending ' + pending : '')};
    return {cls: 'reconnecting', text: 'reconnecting' + (pending ? ' · ' + pending + ' pending' : '')};
  }

  render() {
    const s = this.state();
    const el = $('#status');
    el.className = 'status ' + s.cls;
    el.textContent = s.text;
    $('#offline').textContent = this.offline ? 'Go online' : 'Work offline';
  }
}

module.exports = {Link};
