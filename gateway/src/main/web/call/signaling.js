// The socket to /v1/signal for one call room: join, signals to one peer, broadcasts to all, and
// what the server says back (DESIGN.md, "Signaling"), handed to the call as events. The token
// rides as a subprotocol and is renewed on the same socket (without it the server closes the
// socket at the token's expiry).
'use strict';
const {EventEmitter} = require('events');

class Signaling extends EventEmitter {
  constructor(room, token) {
    super();
    this.room = room;
    this.token = token;
    this.ws = null;
    token.onChange((t) => this.send({type: 'auth', token: t}));
  }

  /** Opens the socket and joins with `meta`; events: joined, peer-joined, peer-left, signal, broadcast, error. */
  join(meta) {
    this.ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/signal',
        this.token.protocols());
    this.ws.onopen = () => this.send({type: 'join', room: this.room, meta});
    this.ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'auth') {
        if (m.expiring !== undefined) this.token.refresh();
      } else {
        this.emit(m.type, m);
      }
    };
  }

  signal(to, data) { this.send({type: 'signal', room: this.room, to, data}); }

  broadcast(data) { this.send({type: 'broadcast', room: this.room, data}); }

  leave() {
    this.send({type: 'leave', room: this.room});
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  /** Sends `m` if the socket is open; whether it was. */
  send(m) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }
}

module.exports = Signaling;
