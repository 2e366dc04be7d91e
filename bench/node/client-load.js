// One load-generator process driving the real npm sharedb client (sharedb/lib/client over the
// npm `ws` client with its default options, permessage-deflate offered as browsers do) against a
// server speaking ShareDB's protocol. Started by dev.tandem.bench.ClientBench, which splits a
// workload across several of these processes and merges what they measure.
//
// Usage: node client-load.js SPEC_JSON
//   SPEC: {kind: "setup"|"writers"|"create"|"cold", url, collection, deadline (epoch ms), ...}
// Protocol on stdio, one JSON object a line:
//   out {"event":"ready", ...}       connected and subscribed (or prepared), waiting for go
//   in  {"warmupEnd":MS,"measureEnd":MS}   epoch milliseconds, the same for every process
//   out {"event":"measured"}         the measured phase has ended (count or time reached)
//   out {"event":"result", ...}      what this process measured; then it exits
//   out {"event":"failed","message"} anything that stopped it; exit code 1
// A process exits when its stdin closes (the parent is gone) or its deadline passes.
// Every document is ot-text-unicode; text is ASCII, so code points and UTF-16 units agree.
'use strict';
const { performance } = require('perf_hooks');
const readline = require('readline');
const crypto = require('crypto');
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;
ShareDB.types.register(textUnicode);

const spec = JSON.parse(process.argv[2]);
const TYPE = textUnicode.uri;
const MAX_SAMPLES = 1000000; // per process: bounds memory on the fastest server
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
// Every document starts with this text, not empty: sharedb-postgres 5 reads an empty string
// back as no data at all (`row.data || undefined`), and the next edit fails there.
const INITIAL = 'text ';

let finished = false;
const connections = [];
const closing = new Set(); // connections this process closes itself: their close is no error
const errors = {};
let measuring = false;

function emit(obj, then) {
  process.stdout.write(JSON.stringify(obj) + '\n', then);
}

function fail(message) {
  if (finished) return;
  finished = true;
  emit({ event: 'failed', message: String(message) }, () => process.exit(1));
}

function countError(err) {
  const code = (err && err.code) || ('no code: ' + String((err && err.message) || err).slice(0, 80));
  errors[code] = (errors[code] || 0) + 1;
}

setTimeout(() => fail('deadline passed (the server stalled, or the workload is too large for its bound)'),
  Math.max(1000, spec.deadline - Date.now())).unref();
process.on('uncaughtException', (e) => fail('uncaught: ' + (e && e.stack || e)));

// One connection as a browser makes it: the ws client with its defaults.
function connect() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(spec.url);
    const conn = new ShareDB.Connection(socket);
    connections.push(conn);
    conn.on('error', countError);
    conn.on('state', (state, reason) => {
      if (state === 'connected') resolve({ conn, socket });
      if ((state === 'disconnected' || state === 'closed') && !finished && !closing.has(conn)) {
        countError({ code: 'CONNECTION_' + state.toUpperCase() });
        reject(new Error('connection ' + state + ' before it was ready: ' + reason));
      }
    });
  });
}

async function connectAll(n) {
  const out = [];
  for (let i = 0; i < n; i += 20) {
    const batch = [];
    for (let k = i; k < Math.min(n, i + 20); k++) batch.push(connect());
    out.push(...await Promise.all(batch));
  }
  return out;
}

function call(fn) {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

// Waits for the parent's go: both phase boundaries in epoch milliseconds.
function awaitGo() {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    let got = false;
    rl.on('line', (line) => {
      if (!got) { got = true; resolve(JSON.parse(line)); }
    });
    rl.on('close', () => { if (!finished) { finished = true; process.exit(2); } });
  });
}

// Timers that flip `measuring` and take the CPU and clock readings at both ends.
function phases(go) {
  const window = {};
  const started = new Promise((resolve) => setTimeout(() => {
    window.cpu0 = process.cpuUsage();
    window.t0 = performance.now();
    measuring = true;
    resolve();
  }, Math.max(0, go.warmupEnd - Date.now())));
  let endIt;
  const ended = new Promise((resolve) => { endIt = resolve; });
  const end = () => {
    if (window.t1 !== undefined) return;
    if (window.t0 === undefined) { window.cpu0 = process.cpuUsage(); window.t0 = performance.now(); }
    measuring = false;
    window.cpu = process.cpuUsage(window.cpu0);
    window.t1 = performance.now();
    emit({ event: 'measured' });
    endIt();
  };
  setTimeout(end, Math.max(0, go.measureEnd - Date.now()));
  return { window, started, ended, end };
}

function windowFigures(window) {
  return {
    seconds: (window.t1 - window.t0) / 1000,
    cpuMicros: window.cpu.user + window.cpu.system,
  };
}

function finish(result) {
  finished = true;
  for (const c of connections) {
    try { c.close(); } catch (e) { /* already closed */ }
  }
  emit(Object.assign({ event: 'result', errors }, result), () => process.exit(0));
}

// A text edit valid on `data`: inserts a letter while the text is short, else inserts or
// deletes one at random, so the document stays near 1,000 characters however long the run.
function textOp(data) {
  const len = typeof data === 'string' ? data.length : 0;
  const at = Math.floor(Math.random() * (len + 1));
  if (len > 1000 && Math.random() < 0.5) {
    const from = Math.min(at, len - 1);
    return from === 0 ? [{ d: 1 }] : [from, { d: 1 }];
  }
  const s = LETTERS[Math.floor(Math.random() * LETTERS.length)];
  return at === 0 ? [s] : [at, s];
}

const hash = (s) => crypto.createHash('sha1').update(String(s)).digest('hex').slice(0, 12);

// kind "setup": creates the documents a writers workload edits, then exits.
async function runSetup() {
  const [{ conn }] = await connectAll(1);
  await Promise.all(spec.docs.map((id) => call((cb) => conn.get(spec.collection, id).create(INITIAL, TYPE, cb))));
  finish({ created: spec.docs.length });
}

// kind "writers": each writer its own connection, subscribed to its document, closed loop:
// submit, wait for the ack, submit again. Counts acks and the remote ops every subscriber
// receives inside the measured window; ack latency of the ops sent and acknowledged inside it.
async function runWriters() {
  const links = await connectAll(spec.writers.length);
  let acks = 0;
  let received = 0;
  let lastOpAt = performance.now();
  const samples = [];
  const writers = spec.writers.map((index, k) => {
    const doc = links[k].conn.get(spec.collection, spec.docs[index % spec.docs.length]);
    doc.on('error', countError);
    doc.on('op', (op, source) => {
      if (!source) {
        lastOpAt = performance.now();
        if (measuring) received++;
      }
    });
    return { doc, stopped: false };
  });
  await Promise.all(writers.map((w) => call((cb) => w.doc.subscribe(cb))));
  emit({ event: 'ready', deflate: links[0].socket.extensions || '' });
  const go = await awaitGo();
  const p = phases(go);
  let stopping = false;
  let idle;
  const allIdle = new Promise((resolve) => { idle = resolve; });
  let running = writers.length;
  const loop = (w) => {
    if (stopping) {
      if (--running === 0) idle();
      return;
    }
    const inWindow = measuring;
    const t = performance.now();
    w.doc.submitOp(textOp(w.doc.data), (err) => {
      if (err) {
        countError(err);
        setTimeout(() => loop(w), 5);
        return;
      }
      if (measuring) {
        acks++;
        if (inWindow && samples.length < MAX_SAMPLES) samples.push(Math.round((performance.now() - t) * 1000));
      }
      loop(w);
    });
  };
  writers.forEach(loop);
  await p.ended;
  stopping = true;
  // Let the last acks and broadcasts arrive, then report each document's state so the parent
  // can tell whether every client converged.
  await Promise.race([allIdle, new Promise((r) => setTimeout(r, 10000))]);
  const quietSince = Date.now();
  while (performance.now() - lastOpAt < 1000 && Date.now() - quietSince < 10000) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const states = {};
  for (const w of writers) {
    const key = w.doc.id;
    const state = w.doc.version + ':' + hash(w.doc.data);
    states[key] = states[key] || {};
    states[key][state] = (states[key][state] || 0) + 1;
  }
  finish(Object.assign(windowFigures(p.window), { acks, received, samples, states, unsettled: running }));
}

// Creates documents (create, then one edit each) with `inflight` of them under way at once,
// spread over the connections. Calls `more()` to learn whether to start another and with which
// tag; resolves when every slot has stopped.
function createMany(conns, inflight, more, onDone) {
  return new Promise((resolve) => {
    let active = inflight;
    const next = (slot) => {
      const job = more();
      if (job === 'stop') {
        if (--active === 0) resolve();
        return;
      }
      if (typeof job === 'number') { setTimeout(() => next(slot), job); return; }
      const doc = conns[slot % conns.length].get(spec.collection, job.id);
      const t = performance.now();
      const done = (err) => {
        onDone(job, err, performance.now() - t);
        doc.destroy();
        next(slot);
      };
      doc.create(INITIAL, TYPE, (err) => {
        if (err) return done(err);
        doc.submitOp([job.text], done);
      });
    };
    for (let s = 0; s < inflight; s++) next(s);
  });
}

// kind "create": `count` documents after a warm-up of at most `warmCap` others; the window
// ends when the last is answered (or at measureEnd, the workload's bound in time).
async function runCreate() {
  const links = await connectAll(spec.connections);
  const conns = links.map((l) => l.conn);
  emit({ event: 'ready', deflate: links[0].socket.extensions || '' });
  const go = await awaitGo();
  const p = phases(go);
  let warm = 0;
  let started = 0;
  let answered = 0;
  let done = 0;
  let lastAt = 0;
  const samples = [];
  const more = () => {
    if (p.window.t1 !== undefined) return 'stop';
    if (!measuring) {
      if (warm < spec.warmCap && Date.now() < go.warmupEnd) {
        return { id: spec.prefix + '-warm-' + warm++, text: 'hello', measured: false };
      }
      return Math.max(1, Math.min(50, go.warmupEnd - Date.now()));
    }
    if (started >= spec.count) return 'stop';
    return { id: spec.prefix + '-' + started++, text: 'hello', measured: true };
  };
  const onDone = (job, err, ms) => {
    if (!job.measured) return;
    answered++;
    if (err) countError(err);
    else {
      done++;
      lastAt = performance.now();
      if (samples.length < MAX_SAMPLES) samples.push(Math.round(ms * 1000));
    }
    if (answered === spec.count) p.end();
  };
  const slots = createMany(conns, spec.inflight, more, onDone);
  await p.ended;
  const unanswered = started - answered;
  if (unanswered > 0) errors['NO_ANSWER_BY_TIME_BOUND'] = unanswered;
  const f = windowFigures(p.window);
  finish(Object.assign(f, {
    done, samples,
    activeSeconds: done > 0 ? (lastAt - p.window.t0) / 1000 : f.seconds,
  }));
  slots.catch(() => {});
}

// kind "cold": creates `count` documents (create + an edit naming the document), tells the
// parent, which waits until the server has let them leave memory, then fetches them oldest
// first, one at a time on a fresh connection, checking each one's content.
async function runCold() {
  const makers = (await connectAll(4)).map((l) => l.conn);
  let made = 0;
  let madeOk = 0;
  const t0 = performance.now();
  await createMany(makers, 100, () => (made < spec.count
    ? { id: spec.prefix + '-' + made, text: 'cold ' + made++ + ' ' } : 'stop'),
  (job, err) => { if (err) countError(err); else madeOk++; });
  const prepareSeconds = (performance.now() - t0) / 1000;
  for (const c of makers) { closing.add(c); c.close(); }
  const [{ conn, socket }] = await connectAll(1);
  emit({ event: 'ready', deflate: socket.extensions || '', prepared: madeOk, prepareSeconds });
  const go = await awaitGo();
  const p = phases(go);
  const samples = [];
  let fetched = 0;
  let wrong = 0;
  // The warm-up fetches the first `warm` documents over and over (so they are warm, not cold);
  // the window fetches the rest once each, oldest first, and ends early when they run out.
  const warm = Math.min(500, Math.floor(made / 10));
  let w = 0;
  let n = warm;
  const fetchNext = () => {
    if (p.window.t1 !== undefined) return;
    let i;
    if (!measuring) i = w++ % Math.max(1, warm);
    else if (n < made) i = n++;
    else { p.end(); return; }
    const doc = conn.get(spec.collection, spec.prefix + '-' + i);
    const inWindow = measuring;
    const t = performance.now();
    doc.fetch((err) => {
      const us = Math.round((performance.now() - t) * 1000);
      if (err) countError(err);
      else if (doc.data !== 'cold ' + i + ' ' + INITIAL) {
        wrong++;
        countError({ code: 'WRONG_CONTENT' });
      } else if (inWindow && measuring) {
        fetched++;
        samples.push(us);
      }
      doc.destroy();
      // The warm-up fetches documents in memory, far faster than the server's 500 messages a
      // second per connection allow: it is paced to 400 a second so it is not refused.
      if (measuring) fetchNext();
      else setTimeout(fetchNext, Math.max(0, 2.5 - (performance.now() - t)));
    });
  };
  fetchNext();
  await p.ended;
  finish(Object.assign(windowFigures(p.window), { fetched, wrong, samples, prepared: madeOk, prepareSeconds }));
}

const kinds = { setup: runSetup, writers: runWriters, create: runCreate, cold: runCold };
if (!kinds[spec.kind]) fail('unknown kind ' + spec.kind);
else kinds[spec.kind]().catch((e) => fail((e && e.code ? e.code + ': ' : '') + (e && e.message || e)));
