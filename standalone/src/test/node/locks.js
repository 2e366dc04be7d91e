// Edit locks with real sharedb clients (npm sharedb 7) against a Tandem gateway: lock, refused
// lock with the holder's name, ERR_LOCKED for others' ops on the locked path or range (the
// sharedb client rolls them back) and not elsewhere, locks that move with list inserts and text
// edits, refused without write, expiry by TTL, release, release on disconnect, and a lock that
// survives an ot-service restart (the Java side restarts it when this script says so).
//
// Usage: node locks.js URL   env: ANN, BOB, CAROL (write tokens), READER (read-only token),
//   RESTART_FILE (a path: the script prints LOCKED-FOR-RESTART and waits for the file to exist).
'use strict';
const assert = require('assert');
const fs = require('fs');
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;

ShareDB.types.register(textUnicode);

const url = process.argv[2];
const run = Date.now().toString(36);
function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), Number(process.env.TIMEOUT_MS || 150000)).unref();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A sharedb connection that also speaks Tandem's lock messages. */
function client(token) {
  const socket = new WebSocket(url, ['tandem.v1', 'tandem.bearer.' + token]);
  const connection = new ShareDB.Connection(socket);
  const waiting = new Map(); // 'c/d/id/action' -> resolve
  const tables = new Map(); // 'c/d' -> latest locks table
  const tableWaiters = [];
  connection.on('receive', (request) => {
    const m = request.data;
    if (!m || (m.a !== 'lock' && m.a !== 'unlock' && m.a !== 'locks')) return;
    request.data = null; // Tandem's extension: not for the sharedb client
    if (m.a === 'locks') {
      tables.set(m.c + '/' + m.d, m.locks);
      for (const w of tableWaiters.splice(0)) w();
      return;
    }
    const key = [m.c, m.d, m.id, m.a].join('/');
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve(m);
    }
  });
  const ask = (msg) => new Promise((resolve) => {
    waiting.set([msg.c, msg.d, msg.id, msg.a].join('/'), resolve);
    connection.send(msg);
  });
  return {
    connection,
    socket,
    ask,
    lock: (doc, id, target) => ask(Object.assign({ a: 'lock', c: doc.collection, d: doc.id, id, v: doc.version }, target)),
    unlock: (doc, id) => ask({ a: 'unlock', c: doc.collection, d: doc.id, id }),
    watch: (doc) => connection.send({ a: 'locks', c: doc.collection, d: doc.id }),
    table: (doc) => tables.get(doc.collection + '/' + doc.id),
    /** Waits (bounded) until the document's lock table satisfies `test`. */
    async tableWhere(doc, test, what) {
      const deadline = Date.now() + 10000;
      while (!(tables.has(doc.collection + '/' + doc.id) && test(tables.get(doc.collection + '/' + doc.id)))) {
        if (Date.now() > deadline) fail('lock table never showed ' + what + ': ' + JSON.stringify(tables.get(doc.collection + '/' + doc.id)));
        await new Promise((r) => { tableWaiters.push(r); setTimeout(r, 100); });
      }
      return tables.get(doc.collection + '/' + doc.id);
    },
  };
}

const call = (fn) => new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
/** Submits op on doc; resolves with the error code (null when it committed). */
const submit = (doc, op) => new Promise((resolve) => doc.submitOp(op, (err) => resolve(err ? err.code : null)));

async function main() {
  const ann = client(process.env.ANN);
  const bob = client(process.env.BOB);
  const reader = client(process.env.READER);
  const boardA = ann.connection.get('board', 'locks-' + run);
  await call((f) => boardA.create({ shapes: { s1: { x: 1, text: 'a' }, s2: { x: 2 }, s3: { x: 3 } }, cards: [{ id: 'c1' }, { id: 'c2' }] }, f));
  const boardB = bob.connection.get('board', boardA.id);
  await call((f) => boardB.subscribe(f));
  await call((f) => boardA.subscribe(f));
  ann.watch(boardA);
  bob.watch(boardB);
  await bob.tableWhere(boardB, (t) => t.length === 0, 'an empty table');

  // A lock, shown to others with the holder's name and to the holder as its own.
  const granted = await ann.lock(boardA, 'drag', { p: ['shapes', 's1'] });
  assert(!granted.error && granted.ttl > 10000 && granted.ttl <= 15000, 'lock granted for the default TTL: ' + JSON.stringify(granted));
  const seen = await bob.tableWhere(boardB, (t) => t.length === 1, "Ann's lock");
  assert.strictEqual(seen[0].name, 'Ann');
  assert.deepStrictEqual(seen[0].p, ['shapes', 's1']);
  assert(!seen[0].mine && !('src' in seen[0]), 'no connection id shown: ' + JSON.stringify(seen[0]));
  assert((await ann.tableWhere(boardA, (t) => t.length === 1, 'own lock'))[0].mine === true);
  console.log('lock: granted, shown with the holder\'s name');

  // Refused locks name the holder; a lock elsewhere is granted.
  for (const p of [['shapes', 's1'], ['shapes', 's1', 'text'], ['shapes'], []]) {
    const refused = await bob.lock(boardB, 'mine', { p });
    assert(refused.error && refused.error.code === 'ERR_LOCKED', 'refused lock on ' + JSON.stringify(p) + ': ' + JSON.stringify(refused));
    assert(refused.error.message.includes('Ann') && refused.holder.name === 'Ann', 'names the holder: ' + JSON.stringify(refused));
  }
  assert(!(await bob.lock(boardB, 's2', { p: ['shapes', 's2'] })).error, 'a lock on another shape');
  console.log('refused lock: ERR_LOCKED naming Ann; other paths lockable');

  // Others' ops on the locked path are refused (and rolled back by the client); elsewhere not.
  assert.strictEqual(await submit(boardB, [{ p: ['shapes', 's1', 'x'], od: 1, oi: 9 }]), 'ERR_LOCKED');
  assert.strictEqual(boardB.data.shapes.s1.x, 1, 'the refused op was rolled back');
  assert.strictEqual(await submit(boardB, [{ p: ['shapes', 's1'], od: boardB.data.shapes.s1 }]), 'ERR_LOCKED', 'deleting a locked shape');
  assert.strictEqual(await submit(boardB, [{ p: ['shapes'], od: boardB.data.shapes, oi: {} }]), 'ERR_LOCKED', 'replacing what holds it');
  assert.strictEqual(await submit(boardB, [{ p: ['shapes', 's3', 'x'], od: 3, oi: 4 }]), null, 'an op on a free shape');
  assert.strictEqual(await submit(boardB, [{ p: ['shapes', 's9'], oi: { x: 9 } }]), null, 'adding a shape');
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's1', 'x'], od: 1, oi: 5 }]), null, 'the holder edits');
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's2', 'x'], od: 2, oi: 7 }]), 'ERR_LOCKED', "Bob's lock binds Ann too");
  console.log('ops: ERR_LOCKED on the locked path and what holds it, rolled back; free elsewhere');

  // A lock on a list item moves with inserts and deletes before it; deleting the item is refused.
  assert(!(await ann.lock(boardA, 'card', { p: ['cards', 1] })).error);
  assert.strictEqual(await submit(boardB, [{ p: ['cards', 0], li: { id: 'c0' } }]), null, 'inserting before the locked card');
  await bob.tableWhere(boardB, (t) => t.some((l) => l.id === 'card' && l.p[1] === 2), 'the card lock moved to index 2');
  assert.strictEqual(await submit(boardB, [{ p: ['cards', 2], ld: { id: 'c2' } }]), 'ERR_LOCKED', 'deleting the locked card');
  assert.strictEqual(await submit(boardB, [{ p: ['cards', 0], ld: { id: 'c0' } }]), null);
  await bob.tableWhere(boardB, (t) => t.some((l) => l.id === 'card' && l.p[1] === 1), 'the card lock back at index 1');
  console.log('list: the lock follows its card');

  // Text ranges.
  const textA = ann.connection.get('notes', 'locks-text-' + run);
  await call((f) => textA.create('hello world', textUnicode.uri, f));
  const textB = bob.connection.get('notes', textA.id);
  await call((f) => textB.subscribe(f));
  await call((f) => textA.subscribe(f));
  bob.watch(textB);
  assert(!(await ann.lock(textA, 'para', { r: [0, 5] })).error);
  assert.strictEqual(await submit(textB, [2, 'X']), 'ERR_LOCKED', 'typing inside the range');
  assert.strictEqual(await submit(textB, [3, { d: 4 }]), 'ERR_LOCKED', 'deleting across it');
  assert.strictEqual(await submit(textB, [5, '!']), null, 'typing right after it');
  assert.strictEqual(await submit(textB, ['>']), null, 'typing right before it');
  await bob.tableWhere(textB, (t) => t.length === 1 && t[0].r[0] === 1 && t[0].r[1] === 6, 'the range moved to [1, 6]');
  assert.strictEqual(await submit(textA, [3, 'Y']), null, 'the holder types inside');
  assert.strictEqual((await bob.lock(textB, 'r2', { r: [4, 9] })).error.code, 'ERR_LOCKED', 'an overlapping range');
  assert(!(await bob.lock(textB, 'r2', { r: [8, 10] })).error, 'a range after it');
  console.log('text: ranges refuse typing inside, allow typing around, move with edits');

  // Without write: no lock, no unlock; watching needs read only.
  const boardR = reader.connection.get('board', boardA.id);
  await call((f) => boardR.fetch(f));
  const denied = await reader.lock(boardR, 'x', { p: ['shapes', 's3'] });
  assert(denied.error && denied.error.code === 'ERR_ACCESS_DENIED', 'lock without write: ' + JSON.stringify(denied));
  reader.watch(boardR);
  await reader.tableWhere(boardR, (t) => t.length >= 2, 'the table, for a reader');
  console.log('access: locking needs write; watching needs read');

  // Badly formed lock requests get a clear error and change nothing.
  for (const bad of [{ p: 'shapes' }, { r: [3, 1] }, { p: ['a'], r: [1, 2] }, {}, { p: ['shapes', 's3'], ttl: 10 }]) {
    const answer = await bob.ask(Object.assign({ a: 'lock', c: 'board', d: boardA.id, id: 'bad' }, bad));
    assert(answer.error && answer.error.code === 'ERR_LOCK_BADLY_FORMED', JSON.stringify(bad) + ' -> ' + JSON.stringify(answer));
  }
  assert.strictEqual((await bob.lock(boardB, 'gone', { p: ['shapes', 'nope'] })).error.code, 'ERR_LOCK_TARGET_GONE');
  console.log('bad requests: ERR_LOCK_BADLY_FORMED, ERR_LOCK_TARGET_GONE');

  // Expiry by TTL: a lock nobody renews ends, and watchers hear it.
  assert(!(await bob.lock(boardB, 'short', { p: ['shapes', 's3'], ttl: 1000 })).error);
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's3', 'x'], od: 4, oi: 5 }]), 'ERR_LOCKED');
  await ann.tableWhere(boardA, (t) => !t.some((l) => l.id === 'short'), 'the expired lock gone');
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's3', 'x'], od: 4, oi: 5 }]), null, 'free after the TTL');
  console.log('ttl: the lock ended by itself');

  // Renewal keeps it; unlock ends it.
  const renewed = await ann.lock(boardA, 'drag', { p: ['shapes', 's1'] });
  assert(!renewed.error && renewed.ttl > 14000, 'renewed');
  assert.strictEqual((await bob.unlock(boardB, 's2')).a, 'unlock');
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's2', 'x'], od: 2, oi: 8 }]), null, 'free after unlock');
  console.log('renew and unlock');

  // Release on disconnect.
  const carol = client(process.env.CAROL);
  const boardC = carol.connection.get('board', boardA.id);
  await call((f) => boardC.subscribe(f));
  assert(!(await carol.lock(boardC, 'c', { p: ['shapes', 's9'] })).error);
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's9', 'x'], od: 9, oi: 10 }]), 'ERR_LOCKED');
  const closedAt = Date.now();
  carol.connection.close();
  await ann.tableWhere(boardA, (t) => !t.some((l) => l.name === 'Carol'), "Carol's lock released");
  const releasedIn = Date.now() - closedAt;
  assert.strictEqual(await submit(boardA, [{ p: ['shapes', 's9', 'x'], od: 9, oi: 10 }]), null);
  console.log(`disconnect: Carol's lock released ${releasedIn} ms after she left`);

  // A lock survives an ot-service restart.
  if (process.env.RESTART_FILE) {
    assert(!(await ann.lock(boardA, 'drag', { p: ['shapes', 's1'], ttl: 60000 })).error);
    console.log('LOCKED-FOR-RESTART');
    const deadline = Date.now() + 120000;
    while (!fs.existsSync(process.env.RESTART_FILE)) {
      if (Date.now() > deadline) fail('no restart');
      await sleep(100);
    }
    // While the new ot-service rebuilds, a request may wait or be refused as unavailable: retry.
    let code;
    for (let i = 0; i < 60; i++) {
      code = await submit(boardB, [{ p: ['shapes', 's1', 'x'], od: boardB.data.shapes.s1.x, oi: 0 }]);
      if (code !== 'ERR_SERVICE_UNAVAILABLE') break;
      await sleep(500);
    }
    assert.strictEqual(code, 'ERR_LOCKED', 'after the restart, the lock still holds');
    const still = await bob.lock(boardB, 'after', { p: ['shapes', 's1'] });
    assert(still.error && still.holder.name === 'Ann', 'after the restart, the holder is Ann: ' + JSON.stringify(still));
    assert.strictEqual((await ann.unlock(boardA, 'drag')).a, 'unlock');
    assert.strictEqual(await submit(boardB, [{ p: ['shapes', 's1', 'x'], od: boardB.data.shapes.s1.x, oi: 0 }]), null);
    console.log('restart: the lock survived the ot-service restart, then was released');
  }
  for (const c of [ann, bob, reader]) c.connection.close();
  console.log('OK');
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
