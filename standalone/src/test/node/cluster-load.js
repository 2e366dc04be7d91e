// The real npm sharedb client as people use it through a cluster that loses processes: clients
// spread over the gateways edit one text document (ot-text-unicode) and one json0 board, and
// send presence, each at its own pace; a client whose socket drops reconnects to the next gateway
// and the sharedb client resubmits what was unacknowledged.
// Usage: node cluster-load.js URL [URL...]   env: TOKEN, CLIENTS (6), PERIOD_MS (120), TIMEOUT_MS
// stdin: "mark" (count presence from here on), "stop" (stop editing, settle, check, report).
// stdout: {"event":"ready"} once every client is subscribed; at the end one line
// {"event":"result", ok, problems, acks: [[times per client]], tokens, presenceSinceMark: [...]}.
// Exactly once: every acknowledged token is in the final text once, every acknowledged
// increment counted once in the board (n), every acknowledged key present.
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const readline = require('readline');
// ot-text-unicode with presence transforms, as the web client registers it.
const textUnicode = require('../../../../gateway/src/main/js/text-unicode-presence.js');
ShareDB.types.register(textUnicode);

const urls = process.argv.slice(2);
const CLIENTS = Number(process.env.CLIENTS || 6);
const PERIOD_MS = Number(process.env.PERIOD_MS || 120);
const RUN = process.env.RUN || Date.now().toString(36);
const TEXT = 'text-' + RUN;
const BOARD = 'board-' + RUN;
const protocols = process.env.TOKEN ? ['tandem.v1', 'tandem.bearer.' + process.env.TOKEN] : [];
// A pipe is written asynchronously: exit only once the line is out.
const emit = (o, then) => process.stdout.write(JSON.stringify(o) + '\n', then);
const fail = (m) => emit({ event: 'result', ok: false, problems: [m] }, () => process.exit(1));
setTimeout(() => fail('timed out'), Number(process.env.TIMEOUT_MS || 300000)).unref();
const call = (fn) => new Promise((resolve, reject) => fn((e) => (e ? reject(e) : resolve())));

let stopping = false;
let marked = false;
const clients = [];

function socketFor(c) {
  const url = urls[c.next++ % urls.length];
  const ws = new WebSocket(url, protocols);
  ws.on('error', () => { /* a close follows */ });
  ws.on('close', () => {
    c.drops++;
    if (!stopping || c.doc.hasPending()) setTimeout(() => c.conn.bindToSocket(socketFor(c)), 200);
  });
  return ws;
}

async function client(i) {
  const c = { i, next: i, drops: 0, acks: [[], []], acked: [], failed: [], increments: 0, keys: [], presenceFrom: new Set() };
  c.conn = new ShareDB.Connection(socketFor(c));
  c.conn.on('error', () => { /* reported per op */ });
  c.doc = c.conn.get('notes', TEXT);
  c.board = c.conn.get('boards', BOARD);
  await call((cb) => c.doc.subscribe(cb));
  await call((cb) => c.board.subscribe(cb));
  const presence = c.conn.getDocPresence('notes', TEXT);
  await call((cb) => presence.subscribe(cb));
  presence.on('receive', (id, value) => { if (marked && value) c.presenceFrom.add(id); });
  c.local = presence.create('p' + i + '-' + RUN);
  clients.push(c);
  return c;
}

function edit(c, n) {
  const token = `<${c.i}.${n}>`;
  const t0 = Date.now();
  // Ack times per document: a stall of one document's partition shows even while the other's acks go on.
  const done = (what, list) => (err) => {
    if (err) { c.failed.push({ what, code: err.code || String(err.message || err) }); return; }
    c.acks[list === c.acked ? 0 : 1].push(Date.now());
    list.push(what);
  };
  if (n % 2 === 0) {
    // Only between tokens (ASCII text, so indexes are code points): an insert inside another
    // token would break it, and concurrent inserts at boundaries stay at boundaries.
    const text = c.doc.data || '';
    const at = [0, text.length];
    for (let i = 1; i < text.length; i++) if (text[i - 1] === '>') at.push(i);
    c.doc.submitOp([at[Math.floor(Math.random() * at.length)], token], done(token, c.acked));
  } else {
    const key = 'k' + c.i + '.' + n;
    c.board.submitOp([{ p: ['n'], na: 1 }, { p: ['keys', key], oi: t0 }], (err) => {
      if (!err) c.increments++;
      done(key, c.keys)(err);
    });
  }
}

async function main() {
  const first = new ShareDB.Connection(new WebSocket(urls[0], protocols));
  const t = first.get('notes', TEXT);
  const b = first.get('boards', BOARD);
  await call((cb) => t.create('start ', textUnicode.uri, cb));
  await call((cb) => b.create({ n: 0, keys: {} }, cb));
  first.close();
  for (let i = 0; i < CLIENTS; i++) await client(i);
  emit({ event: 'ready' });
  const timers = clients.map((c) => {
    let n = 0;
    return [setInterval(() => { if (!stopping) edit(c, n++); }, PERIOD_MS + c.i * 7),
      setInterval(() => { if (!stopping) c.local.submit({ index: n }, () => {}); }, 400)];
  });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    if (line.trim() === 'mark') { marked = true; return; }
    if (line.trim() !== 'stop' || stopping) return;
    stopping = true;
    timers.flat().forEach(clearInterval);
    await finish();
  });
}

// JSON with every object's keys sorted: json0 objects built by different op orders compare equal.
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

function whenIdle(c) {
  return Promise.all([c.doc, c.board].map((d) => new Promise((resolve) => d.whenNothingPending(resolve))));
}

async function finish() {
  const problems = [];
  const settle = Promise.all(clients.map(whenIdle));
  const late = await Promise.race([settle.then(() => false), new Promise((r) => setTimeout(() => r(true), 60000))]);
  if (late) problems.push('ops still pending 60 s after the load stopped');
  await new Promise((r) => setTimeout(r, 1500));
  const fresh = new ShareDB.Connection(new WebSocket(urls[urls.length - 1], protocols));
  const t = fresh.get('notes', TEXT);
  const b = fresh.get('boards', BOARD);
  await call((cb) => t.fetch(cb));
  await call((cb) => b.fetch(cb));
  const text = t.data;
  let tokens = 0;
  let lost = 0;
  let duplicates = 0;
  for (const c of clients) {
    for (const token of c.acked) {
      tokens++;
      const count = text.split(token).length - 1;
      if (count === 0) lost++;
      if (count > 1) duplicates++;
      if (count !== 1) problems.push(`acknowledged ${token} is in the text ${count} times`);
    }
    for (const f of c.failed) {
      if (f.what.startsWith('<') && text.includes(f.what)) problems.push(`${f.what} was refused (${f.code}) but committed`);
    }
    for (const key of c.keys) {
      if (!(key in b.data.keys)) { lost++; problems.push(`acknowledged key ${key} is missing`); }
    }
    if (JSON.stringify(c.doc.data) !== JSON.stringify(text) || c.doc.version !== t.version) {
      problems.push(`client ${c.i} has text v${c.doc.version}, the server v${t.version}`);
    }
    if (canonical(c.board.data) !== canonical(b.data)) problems.push(`client ${c.i}'s board differs`);
  }
  const increments = clients.reduce((s, c) => s + c.increments, 0);
  const refusedIncrements = Object.keys(b.data.keys).length - clients.reduce((s, c) => s + c.keys.length, 0);
  if (b.data.n !== Object.keys(b.data.keys).length) problems.push(`board n ${b.data.n} but ${Object.keys(b.data.keys).length} keys`);
  if (b.data.n < increments) problems.push(`board n ${b.data.n} < ${increments} acknowledged increments`);
  emit({
    event: 'result', ok: problems.length === 0, problems: problems.slice(0, 20),
    acks: clients.flatMap((c) => c.acks), tokens, increments, lost, duplicates, unackedButCommitted: refusedIncrements,
    failed: clients.map((c) => c.failed.map((f) => f.code)), drops: clients.map((c) => c.drops),
    presenceSinceMark: clients.map((c) => c.presenceFrom.size), textVersion: t.version,
  }, () => process.exit(problems.length === 0 ? 0 : 1));
}

main().catch((e) => fail(String(e && e.stack || e)));
