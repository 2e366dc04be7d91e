// One sharedb client with document presence, driven line by line, for the presence tests.
// Usage: node presence-client.js URL COLLECTION ID NAME
// Reads commands (JSON lines) on stdin: {"cmd":"create","data":"text"}, {"cmd":"presence","value":{...}},
// {"cmd":"insert","pos":0,"text":"x"}, {"cmd":"bye"}.
// Prints events (JSON lines): ready, created, submitted, acked, op, presence {id, value}, error.
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const readline = require('readline');
const textUnicode = require('../../../../gateway/src/main/js/text-unicode-presence.js');
ShareDB.types.register(textUnicode);

const [url, collection, id, name] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const conn = new ShareDB.Connection(new WebSocket(url));
const doc = conn.get(collection, id);
const presence = conn.getDocPresence(collection, id);
let local = null;

conn.on('state', (state, reason) => out({ev: 'state', state: state, reason: reason ? String(reason) : null}));
presence.on('receive', (pid, value) => out({ev: 'presence', id: pid, value: value, v: doc.version}));
presence.on('error', (e) => out({ev: 'error', where: 'presence', code: e.code, message: e.message}));
doc.on('error', (e) => out({ev: 'error', where: 'doc', code: e.code, message: e.message}));
doc.on('op', (op, source) => out({ev: 'op', source: !!source, v: doc.version, data: doc.data}));
doc.on('create', (source) => out({ev: 'create', source: !!source, v: doc.version, data: doc.data}));

doc.subscribe((err) => {
  if (err) return out({ev: 'error', where: 'subscribe', code: err.code, message: err.message});
  presence.subscribe((err2) => {
    if (err2) return out({ev: 'error', where: 'presence-subscribe', code: err2.code, message: err2.message});
    local = presence.create(name);
    out({ev: 'ready', v: doc.version, data: doc.data === undefined ? null : doc.data});
  });
});

readline.createInterface({input: process.stdin}).on('line', (line) => {
  const c = JSON.parse(line);
  switch (c.cmd) {
    case 'create':
      doc.create(c.data, textUnicode.uri, (e) => out({ev: 'created', error: e ? e.code : null, v: doc.version}));
      break;
    case 'presence':
      local.submit(c.value, (e) => out({ev: 'submitted', error: e ? e.code : null}));
      break;
    case 'insert':
      doc.submitOp(c.pos > 0 ? [c.pos, c.text] : [c.text], (e) => out({ev: 'acked', error: e ? e.code : null, v: doc.version}));
      break;
    case 'bye':
      conn.close();
      process.exit(0);
      break;
    default:
      out({ev: 'error', where: 'command', message: 'unknown ' + c.cmd});
  }
});
