// Figures for undo and edit locks with the real sharedb client against a server:
//  1. Undo cost: the time UndoManager (gateway/src/main/web/undo.js) spends moving its stacks
//     through one remote op, with STEPS steps on the undo stack (text-unicode, and json0 with a
//     text-unicode field): the owner makes STEPS edits (each its own step) and another client
//     then makes REMOTE edits; the manager's handler for each remote op is timed. Three shapes:
//     text and json0 cards with every remote edit at the start (every step moves), and a
//     whiteboard where the other client drags its own shape.
//  2. Lock round trip against an op's: one client alternately takes a lock (and releases it)
//     and submits an op, N of each, one at a time; p50 and p99 of each, in ms.
// Usage: node bench/node/undo-locks.js URL   (env: STEPS=1000, REMOTE=500, N=500)
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;
const json0 = require('ot-json0').type;
const UndoManager = require('../../gateway/src/main/web/undo.js');

ShareDB.types.register(textUnicode);
json0.registerSubtype(textUnicode);

const url = process.argv[2];
const STEPS = Number(process.env.STEPS || 1000);
const REMOTE = Number(process.env.REMOTE || 500);
const N = Number(process.env.N || 500);
const run = Date.now().toString(36);
setTimeout(() => { console.error('FAIL: timed out'); process.exit(1); }, 600000).unref();

const call = (fn) => new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
const connect = () => new ShareDB.Connection(new WebSocket(url));
const quantile = (xs, q) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const ms = (x) => x.toFixed(3);

async function undoCost(kind) {
  const id = 'undo-bench-' + kind + '-' + run;
  const owner = connect().get('bench', id);
  const initial = kind === 'text' ? '' : kind === 'board' ? { shapes: { theirs: { x: 0 } } } : { notes: '', cards: [] };
  await call((f) => owner.create(initial, kind === 'text' ? textUnicode.uri : json0.uri, f));
  await call((f) => owner.subscribe(f));
  const undo = new UndoManager(owner, { captureMs: 0 });
  // The owner's steps, each acknowledged before the next: a stack of STEPS entries.
  for (let i = 0; i < STEPS; i++) {
    const at = (n) => (n === 0 ? ['a'] : [n, 'a']);
    const op = kind === 'text' ? at(i)
      : kind === 'board' ? (i < 100 ? [{ p: ['shapes', 's' + i], oi: { x: 0 } }] : [{ p: ['shapes', 's' + (i % 100), 'x'], na: 1 }])
        : (i % 2 ? [{ p: ['notes'], t: 'text-unicode', o: at(i >> 1) }] : [{ p: ['cards', i >> 1], li: { n: i } }]);
    await call((f) => owner.submitOp(op, f));
  }
  if (undo.undoStack.length !== STEPS) throw new Error('stack holds ' + undo.undoStack.length + ' steps, not ' + STEPS);
  const times = [];
  const remote = undo.remote.bind(undo);
  undo.remote = (op) => {
    const t = process.hrtime.bigint();
    remote(op);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  };
  const other = connect().get('bench', id);
  await call((f) => other.subscribe(f));
  for (let i = 0; i < REMOTE; i++) {
    // Text and cards: at the start of the document, so every step of the stack moves. Board:
    // someone else drags their own shape, as on a whiteboard.
    const op = kind === 'text' ? ['b'] : kind === 'board' ? [{ p: ['shapes', 'theirs', 'x'], na: 1 }]
      : (i % 2 ? [{ p: ['notes'], t: 'text-unicode', o: ['b'] }] : [{ p: ['cards', 0], li: { r: i } }]);
    await call((f) => other.submitOp(op, f));
  }
  const deadline = Date.now() + 30000;
  while (times.length < REMOTE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (undo.undoStack.length !== STEPS) throw new Error('remote ops changed the number of steps');
  console.log(`undo cost (${kind}), ${STEPS} steps on the stack: per remote op p50 ${ms(quantile(times, 0.5))} ms, p99 ${ms(quantile(times, 0.99))} ms, mean ${ms(times.reduce((a, b) => a + b, 0) / times.length)} ms (${times.length} ops)`);
  // The moved steps still undo exactly the owner's edits: undo them all, only the remote edits stay.
  while (undo.canUndo()) await new Promise((resolve) => undo.undo(resolve));
  await call((f) => owner.whenNothingPending(f));
  const expected = kind === 'text' ? 'b'.repeat(REMOTE)
    : kind === 'board' ? JSON.stringify({ shapes: { theirs: { x: REMOTE } } })
      : JSON.stringify({ notes: 'b'.repeat(REMOTE >> 1), cards: Array.from({ length: (REMOTE + 1) >> 1 }, (_, k) => ({ r: 2 * ((REMOTE + 1 >> 1) - 1 - k) })) });
  const got = kind === 'text' ? owner.data : JSON.stringify(owner.data);
  if (got !== expected) throw new Error(`after undoing every step (${kind}) the document is ${got.slice(0, 200)}, not the remote edits alone`);
  console.log(`  then ${STEPS} undos left exactly the other client's edits`);
  undo.destroy();
  owner.connection.close();
  other.connection.close();
}

async function lockRoundTrip() {
  const connection = connect();
  const doc = connection.get('bench', 'locks-bench-' + run);
  await call((f) => doc.create({ shapes: { s1: { x: 0 } } }, json0.uri, f));
  await call((f) => doc.subscribe(f));
  let answered = null;
  connection.on('receive', (request) => {
    const m = request.data;
    if (m && (m.a === 'lock' || m.a === 'unlock') && m.d === doc.id) {
      request.data = null;
      if (answered) answered(m);
    }
  });
  const ask = (msg) => new Promise((resolve) => { answered = resolve; connection.send(msg); });
  const lockTimes = [];
  const opTimes = [];
  for (let i = 0; i < N; i++) {
    let t = process.hrtime.bigint();
    const m = await ask({ a: 'lock', c: 'bench', d: doc.id, id: 'drag', v: doc.version, p: ['shapes', 's1'] });
    lockTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (m.error) throw new Error('lock refused: ' + JSON.stringify(m));
    t = process.hrtime.bigint();
    await call((f) => doc.submitOp([{ p: ['shapes', 's1', 'x'], na: 1 }], f));
    opTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    await ask({ a: 'unlock', c: 'bench', d: doc.id, id: 'drag' });
  }
  console.log(`lock round trip: p50 ${ms(quantile(lockTimes, 0.5))} ms, p99 ${ms(quantile(lockTimes, 0.99))} ms; op ack: p50 ${ms(quantile(opTimes, 0.5))} ms, p99 ${ms(quantile(opTimes, 0.99))} ms (${N} each, one at a time)`);
  connection.close();
}

async function main() {
  await undoCost('text');
  await undoCost('json');
  await undoCost('board');
  await lockRoundTrip();
  process.exit(0);
}

main().catch((e) => { console.error('FAIL: ' + (e.stack || e)); process.exit(1); });
