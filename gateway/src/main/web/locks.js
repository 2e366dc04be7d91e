// Edit locks on one document, Tandem's extension of the ShareDB protocol (README, "Edit locks"):
// follows the document's lock table (everyone's locks, as the server sends it on each change),
// and takes, renews and releases this page's own. No DOM here; the whiteboard draws the table.
//
//   const locks = new EditLocks(link, doc);
//   locks.on('change', () => ...);              // the table changed: locks.table
//   locks.heldByOther(['shapes', id]);          // someone else's lock on or in or around it, or null
//   const lease = await locks.acquire(['shapes', id], {onLost});  // rejects with err.code, err.holder
//   lease.release();
//
// A lock is asked for with the document's version, after this page's own ops are acknowledged
// (what it covers may be in one of them), renewed every RENEW_MS while held, and released once
// the ops made under it are acknowledged (released earlier, someone else could lock the element
// before they arrive, and they would be refused). The server releases a connection's locks when
// it closes: after a reconnect the renewal asks for each again. Offline, nothing can be locked:
// the edit goes ahead, and the server refuses it on reconnect if someone else locked the element
// meanwhile (the sharedb client rolls it back).
'use strict';
const {EventEmitter} = require('events');

const TTL_MS = 15000;
const RENEW_MS = 5000;
const OFFLINE = {error: {code: 'ERR_OFFLINE', message: 'Not connected; try again'}};

/** Whether one path is the other or holds it: a lock on either covers both. */
function overlaps(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

class EditLocks extends EventEmitter {
  constructor(link, doc) {
    super();
    this.link = link;
    this.doc = doc;
    /** The document's locks: {id, user, name, p | r, ttl, mine}. */
    this.table = [];
    /** Answers awaited, by action and lock id. */
    this.waiting = new Map();
    this.leases = new Set();
    this.next = 0;
    for (const a of ['lock', 'unlock', 'locks']) link.handle(a, (m) => this.receive(m));
    const watch = () => link.send({a: 'locks', c: doc.collection, d: doc.id});
    link.connection.on('state', (state) => {
      if (state === 'connected') {
        watch();
        for (const lease of this.leases) this.renew(lease);
      } else if (!link.connection.canSend) {
        // The server forgets this connection's locks when it closes, and its answers are lost.
        for (const lease of this.leases) lease.asked = false;
        const waiting = [...this.waiting.values()];
        this.waiting.clear();
        waiting.forEach((w) => w(OFFLINE));
      }
    });
    watch();
  }

  receive(m) {
    if (m.c !== this.doc.collection || m.d !== this.doc.id) return;
    if (m.a === 'locks') {
      if (m.error) console.warn('locks not shown: ' + m.error.message);
      else this.table = m.locks;
      this.emit('change');
      return;
    }
    const key = m.a + '/' + m.id;
    const w = this.waiting.get(key);
    if (w) {
      this.waiting.delete(key);
      w(m);
    }
  }

  /** Someone else's lock that covers `path` (on it, in it or around it), or null. */
  heldByOther(path) {
    return this.table.find((l) => !l.mine && Array.isArray(l.p) && overlaps(l.p, path)) || null;
  }

  /** A lock on `path`, once granted (or at once offline); `onLost(err)` if a renewal is refused. */
  acquire(path, {onLost = () => {}} = {}) {
    // asked: on this connection (the server may hold it; an unlock is owed when it ends).
    const lease = {id: 'l' + (++this.next) + '-' + Math.random().toString(36).slice(2, 8), path, onLost,
      asked: false, released: false};
    lease.release = () => this.release(lease);
    if (!this.link.connection.canSend) {
      this.hold(lease);
      return Promise.resolve(lease);
    }
    return this.written().then(() => new Promise((resolve, reject) => {
      this.ask(lease, (m) => {
        if (m.error) {
          reject(Object.assign(new Error(m.error.message), {code: m.error.code, holder: m.holder}));
        } else {
          this.hold(lease);
          resolve(lease);
        }
      });
    }));
  }

  hold(lease) {
    this.leases.add(lease);
    lease.timer = setInterval(() => this.renew(lease), RENEW_MS);
  }

  /** Asks again, with the same id: a renewal, or a new grant after a reconnect. */
  renew(lease) {
    if (lease.released || !this.link.connection.canSend) return;
    this.ask(lease, (m) => {
      if (!m.error || lease.released) return;
      if (m.error.code === 'ERR_OFFLINE') return; // asked again once connected
      this.release(lease);
      lease.onLost(Object.assign(new Error(m.error.message), {code: m.error.code, holder: m.holder}));
    });
  }

  ask(lease, answered) {
    const sent = this.link.send({a: 'lock', c: this.doc.collection, d: this.doc.id, id: lease.id,
      v: this.doc.version, p: lease.path, ttl: TTL_MS});
    if (!sent) return answered(OFFLINE);
    lease.asked = true;
    this.waiting.set('lock/' + lease.id, answered);
  }

  release(lease) {
    if (lease.released) return;
    lease.released = true;
    clearInterval(lease.timer);
    this.leases.delete(lease);
    this.waiting.delete('lock/' + lease.id);
    this.written().then(() => {
      if (lease.asked) this.link.send({a: 'unlock', c: this.doc.collection, d: this.doc.id, id: lease.id});
    });
  }

  /** Resolves once this page's ops on the document are acknowledged. */
  written() {
    const doc = this.doc;
    return doc.hasWritePending() ? new Promise((resolve) => doc.once('no write pending', resolve)) : Promise.resolve();
  }
}

module.exports = {EditLocks};
