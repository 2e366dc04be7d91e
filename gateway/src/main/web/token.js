// The web client's token: handed over by a host page (window.tandemToken: a token string, or a
// function returning one or a promise of one), else minted by a dev server (POST /v1/dev/token).
// It is refreshed before it expires, and the grants it carries tell the page what is read-only.
// The token is decoded here only to read exp and the grants for display; the server verifies it.
'use strict';

function claims(token) {
  try {
    const b64 = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(b64))));
  } catch (e) {
    return {};
  }
}

// '*' matches any run of characters; the most specific pattern (most literal characters, then
// fewest stars) decides, as on the server.
function globMatches(pattern, name) {
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return re.test(name);
}
function decide(grants, name) {
  let best = null;
  for (const p of Object.keys(grants || {})) {
    if (!globMatches(p, name)) continue;
    const lit = p.replace(/\*/g, '').length;
    const stars = p.length - lit;
    if (!best || lit > best.lit || (lit === best.lit && stars < best.stars)) best = {p, lit, stars};
  }
  return best ? grants[best.p] : null;
}

class Token {
  constructor(user) {
    this.user = user;
    this.value = null;
    this.listeners = [];
  }

  /** Gets a token; rejects with a message to show when there is none to be had. */
  async fetch() {
    const host = window.tandemToken;
    let t;
    if (typeof host === 'string') t = host;
    else if (typeof host === 'function') t = await host();
    else {
      const r = await fetch('/v1/dev/token', {method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({user: this.user})});
      if (r.status === 404) throw new Error('this server needs a token from your sign-in, and this page has none');
      if (!r.ok) throw new Error('no token: ' + ((await r.json().catch(() => ({}))).error || {}).message);
      t = (await r.json()).token;
    }
    this.set(t);
    return t;
  }

  set(t) {
    this.value = t;
    this.claims = claims(t);
    clearTimeout(this.timer);
    // Refresh a minute before expiry (or halfway through a shorter life), whatever the server says.
    if (this.claims.exp) {
      const left = this.claims.exp * 1000 - Date.now();
      const at = Math.max(1000, Math.min(left - 60000, left / 2));
      this.timer = setTimeout(() => this.refresh(), at);
    }
    this.listeners.forEach((f) => f(t));
  }

  async refresh() {
    try {
      await this.fetch();
    } catch (e) {
      console.warn('token refresh failed', e);
    }
  }

  onChange(f) {
    this.listeners.push(f);
  }

  get sub() {
    return this.claims.sub || this.user;
  }

  /** 'write', 'read' or null for document collection/id. */
  docLevel(collection, id) {
    const g = (this.claims.tandem || {}).docs;
    return decide(g, collection + '/' + id);
  }

  mayJoin(room) {
    return decide((this.claims.tandem || {}).rooms, room) === 'join';
  }

  /** Subprotocols that carry the token on a WebSocket (browsers cannot set headers there). */
  protocols() {
    return ['tandem.v1', 'tandem.bearer.' + this.value];
  }
}

module.exports = {Token, claims, decide};
