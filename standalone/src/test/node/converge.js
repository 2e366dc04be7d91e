// Random concurrent edits with the real npm sharedb client against Tandem gateways.
// Usage: node converge.js URL [URL...]   (env: CLIENTS, OPS, SEED)
// Exits 0 when every client ends identical to the server's snapshot and every acknowledged op
// took effect exactly once: the board's counter equals the sum of acknowledged increments, and
// every acknowledged token insert appears exactly once in the tokens document. (Versions cannot
// be counted client side: the sharedb client composes ops that wait behind an inflight op.)
'use strict';
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;
ShareDB.types.register(textUnicode);

const urls = process.argv.slice(2);
const CLIENTS = Number(process.env.CLIENTS || 6);
const OPS = Number(process.env.OPS || 60);
let seed = Number(process.env.SEED || 12345);
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (n) => Math.floor(random() * n);
const run = Date.now().toString(36);
const TEXT_ID = 'text-' + run;
const BOARD_ID = 'board-' + run;
const TOKENS_ID = 'tokens-' + run;
const ALPHABET = ['a', 'b', ' ', 'é', '😀', '中', '\n'];

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), Number(process.env.TIMEOUT_MS || 120000)).unref();

function connect(url) {
  return new ShareDB.Connection(new WebSocket(url));
}
const cb = (resolve, reject) => (err) => (err ? reject(err) : resolve());
const promisify = (fn) => new Promise((resolve, reject) => fn(cb(resolve, reject)));

function codePoints(s) { return Array.from(s).length; }

function textOp(data) {
  const len = codePoints(data);
  if (len > 0 && random() < 0.35) {
    const at = pick(len);
    const n = 1 + pick(Math.min(3, len - at));
    return at === 0 ? [{ d: n }] : [at, { d: n }];
  }
  const at = pick(len + 1);
  const s = ALPHABET[pick(ALPHABET.length)] + (random() < 0.3 ? ALPHABET[pick(ALPHABET.length)] : '');
  return at === 0 ? [s] : [at, s];
}

function boardOp(data) {
  const items = data.items;
  const r = random();
  if (r < 0.35 || items.length === 0) return [{ p: ['items', pick(items.length + 1)], li: { id: pick(1000), x: pick(500) } }];
  if (r < 0.5) { const i = pick(items.length); return [{ p: ['items', i], ld: items[i] }]; }
  if (r < 0.6) return [{ p: ['items', pick(items.length)], lm: pick(items.length) }];
  if (r < 0.8) return [{ p: ['count'], na: 1 + pick(3) }];
  const i = pick(items.length);
  return [{ p: ['items', i, 'x'], od: items[i].x, oi: pick(500) }];
}

async function main() {
  const creator = connect(urls[0]);
  const t = creator.get('notes', TEXT_ID);
  const b = creator.get('boards', BOARD_ID);
  await promisify((k) => t.create('start', 'text-unicode', k));
  await promisify((k) => b.create({ items: [], count: 0 }, k));
  const tk = creator.get('notes', TOKENS_ID);
  await promisify((k) => tk.create('', 'text-unicode', k));

  const clients = [];
  for (let i = 0; i < CLIENTS; i++) {
    const url = urls[i % urls.length];
    const conn = connect(url);
    const text = conn.get('notes', TEXT_ID);
    const board = conn.get('boards', BOARD_ID);
    await promisify((k) => text.subscribe(k));
    await promisify((k) => board.subscribe(k));
    const tokens = conn.get('notes', TOKENS_ID);
    await promisify((k) => tokens.subscribe(k));
    clients.push({ url, conn, text, board, tokens, acked: { text: 0, board: 0, tokens: [], count: 0 }, reconnects: 0 });
  }

  await Promise.all(clients.map((c, idx) => (async () => {
    for (let n = 0; n < OPS; n++) {
      const onText = random() < 0.5;
      const doc = onText ? c.text : c.board;
      const op = onText ? textOp(doc.data) : boardOp(doc.data);
      doc.submitOp(op, (err) => {
        if (err) fail('op rejected: ' + err.code + ' ' + err.message + ' ' + JSON.stringify(op));
        c.acked[onText ? 'text' : 'board']++;
        if (op[0].na) c.acked.count += op[0].na;
      });
      const token = '<' + idx + ':' + n + '>';
      const at = pick(codePoints(c.tokens.data) + 1);
      // Insert only at token boundaries, so tokens never nest.
      const cut = Array.from(c.tokens.data).slice(0, at).join('').lastIndexOf('>') + 1;
      const pos = codePoints(c.tokens.data.slice(0, cut));
      c.tokens.submitOp(pos === 0 ? [token] : [pos, token], (err) => {
        if (err) fail('token rejected: ' + err.message);
        c.acked.tokens.push(token);
      });
      // Every other client drops its socket now and then, right after submitting: the op may or
      // may not be committed; it is resent on reconnect and must count once.
      if (idx % 2 === 1 && n % 15 === 7) {
        // Drop the socket as a network failure would, then wait until the client notices.
        const gone = new Promise((r) => { const f = (st) => { if (st !== 'connected') { c.conn.removeListener('state', f); r(); } }; c.conn.on('state', f); });
        c.conn.socket.terminate();
        await gone;
        c.reconnects++;
        // Edits made while offline wait as pending ops.
        c.text.submitOp(textOp(c.text.data), (err) => { if (err) fail('offline op: ' + err.message); c.acked.text++; });
        await new Promise((r) => setTimeout(r, 20 + pick(80)));
        c.conn.bindToSocket(new WebSocket(c.url));
      }
      await new Promise((r) => setTimeout(r, pick(15)));
    }
    await new Promise((r) => c.text.whenNothingPending(r));
    await new Promise((r) => c.board.whenNothingPending(r));
    await new Promise((r) => c.tokens.whenNothingPending(r));
  })()));

  const checker = connect(urls[urls.length - 1]);
  const tFinal = checker.get('notes', TEXT_ID);
  const bFinal = checker.get('boards', BOARD_ID);
  // Give the last fan-out a moment, then compare everyone with the server.
  await new Promise((r) => setTimeout(r, 1500));
  await promisify((k) => tFinal.fetch(k));
  await promisify((k) => bFinal.fetch(k));
  const kFinal = checker.get('notes', TOKENS_ID);
  await promisify((k) => kFinal.fetch(k));
  const ackedText = clients.reduce((s, c) => s + c.acked.text, 0);
  const ackedBoard = clients.reduce((s, c) => s + c.acked.board, 0);
  for (const c of clients) {
    if (c.text.version !== tFinal.version || c.text.data !== tFinal.data) {
      fail('text differs: client v' + c.text.version + ' ' + JSON.stringify(c.text.data) + ' server v' + tFinal.version + ' ' + JSON.stringify(tFinal.data));
    }
    if (c.board.version !== bFinal.version || JSON.stringify(c.board.data) !== JSON.stringify(bFinal.data)) {
      fail('board differs: client v' + c.board.version + ' server v' + bFinal.version);
    }
  }
  const sum = clients.reduce((s, c) => s + c.acked.count, 0);
  if (bFinal.data.count !== sum) fail('board count ' + bFinal.data.count + ' but acknowledged increments sum to ' + sum);
  const found = kFinal.data.match(/<[0-9]+:[0-9]+>/g) || [];
  const acked = clients.flatMap((c) => c.acked.tokens);
  if (found.length !== acked.length) fail(found.length + ' tokens in the document, ' + acked.length + ' acknowledged');
  const seen = new Set(found);
  if (seen.size !== found.length) fail('a token appears twice');
  for (const t of acked) if (!seen.has(t)) fail('acknowledged token ' + t + ' is missing');
  for (const c of clients) {
    if (c.tokens.data !== kFinal.data) fail('tokens differ on a client');
  }
  console.log(JSON.stringify({ ok: true, clients: CLIENTS, textVersion: tFinal.version, boardVersion: bFinal.version,
    ackedText, ackedBoard, tokens: found.length, count: sum, tokensVersion: kFinal.version, reconnects: clients.reduce((s, c) => s + c.reconnects, 0), textLength: codePoints(tFinal.data) }));
  process.exit(0);
}
main().catch((e) => fail(e.stack || String(e)));
