// Whole-content PUT while sharedb clients edit the same text-unicode document.
// Usage: node put-while-editing.js WS_URL HTTP_BASE
// Three clients insert unique tokens at random places; meanwhile the script PUTs the whole text
// with "base" replaced by "BASE" and " tail" appended. Exits 0 when every client ends identical,
// every token is there exactly once, and the PUT's changes are there too.
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;
ShareDB.types.register(textUnicode);

const [url, http] = process.argv.slice(2);
const id = 'put-' + Date.now().toString(36);
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
setTimeout(() => fail('timed out'), 60000).unref();
const conns = [0, 1, 2].map(() => new ShareDB.Connection(new WebSocket(url)));
const docs = conns.map((c) => c.get('notes', id));
// A reader that never edits: its text and version always go together, the base of the PUT.
const observerConn = new ShareDB.Connection(new WebSocket(url));
const observer = observerConn.get('notes', id);
const subscribe = (d) => new Promise((ok, no) => d.subscribe((e) => e ? no(e) : ok()));
const submit = (d, op) => new Promise((ok, no) => d.submitOp(op, (e) => e ? no(e) : ok()));
let seed = 42;
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };

(async () => {
  await subscribe(docs[0]);
  await new Promise((ok, no) => docs[0].create('the base text of a shared note', textUnicode.uri, (e) => e ? no(e) : ok()));
  await Promise.all(docs.slice(1).map(subscribe));
  await subscribe(observer);
  const tokens = [];
  const editors = docs.map(async (d, i) => {
    for (let k = 0; k < 20; k++) {
      const token = '<' + i + '.' + k + '>';
      tokens.push(token);
      const len = [...d.data].length;
      // Never inside another token or the words the PUT changes: only at the very start or end.
      const at = random() < 0.5 ? 0 : len;
      await submit(d, at === 0 ? [token] : [at, token]);
      await new Promise((r) => setTimeout(r, 5 + Math.floor(random() * 15)));
    }
  });
  const put = (async () => {
    await new Promise((r) => setTimeout(r, 120));
    const current = observer.data;
    const version = observer.version;
    const next = current.replace('base', 'BASE') + ' tail';
    // The edits keep coming while the PUT travels: it is based on `version`, not on what the server has then.
    await new Promise((r) => setTimeout(r, 60));
    const res = await fetch(http + '/v1/docs/notes/' + id + '?v=' + version,
        {method: 'PUT', body: next, headers: {'content-type': 'text/plain'}});
    const body = await res.json();
    if (res.status !== 200 || !body.changed) fail('PUT answered ' + res.status + ' ' + JSON.stringify(body));
    return body;
  })();
  const [, putResult] = await Promise.all([Promise.all(editors), put]);
  await new Promise((r) => setTimeout(r, 500));
  const fetched = docs.map((d) => new Promise((ok, no) => d.fetch((e) => e ? no(e) : ok(d.data))));
  const texts = await Promise.all(fetched);
  if (!texts.every((t) => t === texts[0])) fail('clients differ: ' + JSON.stringify(texts));
  const text = texts[0];
  for (const t of tokens) {
    const n = text.split(t).length - 1;
    if (n !== 1) fail('token ' + t + ' appears ' + n + ' times in ' + text);
  }
  if (!text.includes('BASE') || text.includes('base') || !text.includes(' tail')) fail('the PUT is lost: ' + text);
  // History through the sharedb client's own API: the first version, and now by timestamp.
  const first = await new Promise((ok, no) => conns[0].fetchSnapshot('notes', id, 1, (e, s) => e ? no(e) : ok(s)));
  if (first.v !== 1 || first.data !== 'the base text of a shared note') fail('fetchSnapshot v1: ' + JSON.stringify(first));
  const now = await new Promise((ok, no) => conns[0].fetchSnapshotByTimestamp('notes', id, Date.now(),
      (e, s) => e ? no(e) : ok(s)));
  if (now.data !== text || now.v !== docs[0].version) fail('fetchSnapshotByTimestamp now: ' + JSON.stringify(now));
  console.log('OK ' + tokens.length + ' tokens, PUT committed at v' + putResult.v + ': ' + text.length + ' chars');
  conns.forEach((c) => c.close());
  observerConn.close();
  process.exit(0);
})().catch((e) => fail(e.stack || e));
