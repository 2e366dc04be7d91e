// The npm sharedb client, unchanged, against a server in jwt mode: the token rides as the
// subprotocol tandem.bearer.<token>; a document the token does not grant fails with
// ERR_ACCESS_DENIED; the token expires mid-session and is refreshed with Tandem's
// {"a":"auth","token"} extension, and no op is lost across the expiry.
// Usage: node sharedb-auth.js WS_URL SHORT_TOKEN FRESH_TOKEN DOC_ID
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
ShareDB.types.register(require('ot-text-unicode').type);

const [url, shortToken, freshToken, id] = process.argv.slice(2);
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
setTimeout(() => fail('timed out'), 60000).unref();

const socket = new WebSocket(url, ['tandem.v1', 'tandem.bearer.' + shortToken]);
let refreshed = false;
let closedWith = null;
socket.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.a === 'auth' && m.expiring !== undefined) {
    socket.send(JSON.stringify({a: 'auth', token: freshToken}));
  } else if (m.a === 'auth' && m.user) {
    refreshed = true;
  }
});
socket.on('close', (code) => { closedWith = code; });
const connection = new ShareDB.Connection(socket);
// The auth messages are not sharedb's; it ignores them.
require('sharedb/lib/logger').setMethods({warn: () => {}});

const done = (cb) => new Promise((resolve, reject) => cb((err, v) => (err ? reject(err) : resolve(v))));

(async () => {
  if (socket.protocol !== 'tandem.v1') {
    await new Promise((r) => socket.once('open', r));
  }
  if (socket.protocol !== 'tandem.v1') fail('the server selected ' + socket.protocol);
  const other = connection.get('other', 'doc');
  const err = await done((cb) => other.fetch(cb)).then(() => null, (e) => e);
  if (!err || err.code !== 'ERR_ACCESS_DENIED') fail('fetch of other/doc: ' + (err && err.code));
  const doc = connection.get('notes', id);
  await done((cb) => doc.subscribe(cb));
  await done((cb) => doc.create('', 'http://sharejs.org/types/text-unicode', cb));
  // One op every 100 ms for 6 s: past the first token's expiry (4 s).
  let sent = 0;
  const started = Date.now();
  while (Date.now() - started < 6000) {
    await done((cb) => doc.submitOp([doc.data.length ? [...doc.data].length : 0, 'x'].filter((c) => c !== 0), cb));
    sent++;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!refreshed) fail('the token was never refreshed');
  if (closedWith !== null) fail('the socket closed with ' + closedWith);
  const check = new ShareDB.Connection(new WebSocket(url, ['tandem.v1', 'tandem.bearer.' + freshToken]));
  const copy = check.get('notes', id);
  await done((cb) => copy.fetch(cb));
  if (copy.version !== sent + 1 || [...copy.data].length !== sent) {
    fail('lost ops: sent ' + sent + ', version ' + copy.version + ', length ' + [...copy.data].length);
  }
  console.log(JSON.stringify({sent, version: copy.version, refreshed}));
  console.log('OK');
  process.exit(0);
})().catch((e) => fail(e.stack || e.message || e));
