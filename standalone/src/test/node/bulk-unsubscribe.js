// The real sharedb client unsubscribes two documents in one bulk message; both callbacks must fire.
// Usage: node bulk-unsubscribe.js URL   Exits 0 when they do, 1 otherwise (within 10 s).
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('the unsubscribe callbacks did not fire within 10 s'), 10000).unref();

const connection = new ShareDB.Connection(new WebSocket(process.argv[2]));
const run = Date.now().toString(36);
const docs = [connection.get('notes', 'bu-a-' + run), connection.get('notes', 'bu-b-' + run)];
const subscribe = (doc) => new Promise((resolve, reject) => doc.subscribe((err) => (err ? reject(err) : resolve())));

(async () => {
  connection.startBulk();
  const subscribed = docs.map(subscribe);
  connection.endBulk();
  await Promise.all(subscribed);
  let left = docs.length;
  connection.startBulk();
  for (const doc of docs) {
    doc.unsubscribe((err) => {
      if (err) fail('unsubscribe: ' + err.message);
      if (--left === 0) {
        console.log('OK both unsubscribe callbacks fired');
        process.exit(0);
      }
    });
  }
  connection.endBulk();
})().catch((e) => fail(e.message));
