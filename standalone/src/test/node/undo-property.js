// Property tests of the undo module (gateway/src/main/web/undo.js) with the real npm sharedb
// client against a Tandem server. Usage: node undo-property.js URL   (env: ROUNDS, SEED)
//
// Three clients edit one text-unicode document and one json0 document (a list of cards and a
// text-unicode field inside it) at the same time, and undo and redo random steps. Every token
// (a character, a card) is made once, by one client, so what a step did is a set of tokens it
// inserted and a set it removed. After every round the clients converge, and for the client
// that undid (or redid) a step while the others kept editing:
//   - the tokens the step inserted are gone (undo) or back (redo), but for those someone else
//     removed meanwhile and put back (by an undo): those are theirs now, as below;
//   - the tokens it removed are back (undo) or gone again (redo), unless someone else removed
//     them too (then the server committed only one removal; the targeted cases below check it);
//   - every other token is as the others' edits of the round left it: others' work survives;
//   - the tokens present before and after keep their order.
// And against the log, first: the document an undo or redo makes, the moment it applies (before
// anything else arrives), equals a replay of the document's committed ops, read back from the
// server, without the undone op: without every op of each of the actor's steps that now stands
// undone, and without the undos and redos of each step that stands (an undo and its redo
// cancel), the other ops rebased past what the left-out ones did. Where an op rebased inserts
// into a gap where left-out ops both took tokens out and put others in, the log does not say
// which side of those the insert goes on; the replay keeps both, and the undo must make one.
// Then the targeted cases where the server commits a step in another form than the client made
// it: two people delete the same text, the other first (undo must not bring it back), two people
// set the same key, the other first (undo must restore the other's value, not the one before);
// steps grouped by time; an undo asked for while the step's ops are unconfirmed; a remote op
// that comes while an undo is unconfirmed; steps made offline, undone after the reconnect.
'use strict';
const assert = require('assert');
const ShareDB = require('sharedb/lib/client');
const WebSocket = require('ws');
const textUnicode = require('ot-text-unicode').type;
const json0 = require('ot-json0').type;
const UndoManager = require('../../../../gateway/src/main/web/undo.js');

ShareDB.types.register(textUnicode);
json0.registerSubtype(textUnicode);

const url = process.argv[2];
const ROUNDS = Number(process.env.ROUNDS || 60);
let seed = Number(process.env.SEED || 4242);
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (n) => Math.floor(random() * n);
const run = Date.now().toString(36);

function fail(msg) { console.error('FAIL: ' + msg); process.exit(1); }
setTimeout(() => fail('timed out'), Number(process.env.TIMEOUT_MS || 240000)).unref();

const cb = (resolve, reject) => (err) => (err ? reject(err) : resolve());
const promisify = (fn) => new Promise((resolve, reject) => fn(cb(resolve, reject)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const httpBase = url.replace(/^ws/, 'http').replace(/\/v1\/docs.*$/, '');

function connect() {
  return new ShareDB.Connection(new WebSocket(url));
}

// Tokens: client k's characters come from their own block of CJK code points.
const next = [0, 0, 0];
const charOf = (k) => String.fromCodePoint(0x4E00 + k * 4000 + next[k]++);
const cardOf = (k) => 'c' + k + '-' + next[k]++;

/** The tokens of a document, in order: characters of the text, then cards, then the notes' characters. */
function tokensOf(kind, data) {
  if (kind === 'text') return Array.from(data);
  return data.cards.map((c) => c.id).concat(Array.from(data.notes));
}

/** The committed ops of a document, as the server's history endpoint streams them. */
async function logOf(id) {
  const res = await fetch(`${httpBase}/v1/docs/undo/${encodeURIComponent(id)}/ops?from=0&to=100000`);
  if (res.status !== 200) fail(`GET ops of ${id}: ${res.status} ${await res.text()}`);
  return (await res.text()).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
}

/**
 * Replays the ops of `log` before version `to`: `real`, the document they make, and `without`,
 * the documents they could make without the ops at the versions in `left`. Each op after a
 * left-out one is rebased onto each such document past the difference between the two (built
 * afresh after every op; every token is made once, so the difference is the tokens one holds
 * and the other does not). Where that op inserts into a gap the difference both empties and
 * fills (a token of a left-out insert next to one of a left-out delete), the log does not say
 * on which side of the refilled tokens the insert goes: both are kept, and the document the
 * undo made must be one of them.
 */
function replay(kind, log, to, left) {
  const type = kind === 'text' ? textUnicode : json0;
  let real = type.create(clone(log[0].op.data));
  let without = [clone(real)];
  for (const entry of log.slice(1)) {
    if (entry.version >= to) break;
    if (entry.kind !== 'op' || !entry.op) continue;
    if (!left.has(entry.version)) {
      const next = new Map();
      for (const w of without) {
        for (const deletesFirst of [false, true]) {
          const apart = difference(kind, real, w, deletesFirst);
          if (apart === null) continue;
          for (const side of apart.length > 0 ? ['right', 'left'] : ['right']) {
            const op = apart.length > 0 ? type.transform(entry.op, apart, side) : entry.op;
            const made = type.apply(clone(w), clone(op));
            next.set(JSON.stringify(made), made);
          }
        }
      }
      if (next.size === 0) fail(`no way to replay the log without ${[...left]} past version ${entry.version} (${JSON.stringify(entry.op)}) from ${JSON.stringify(real)}; before it: ${without.map((w) => JSON.stringify(w)).join(' or ')}` + dumped(log));
      if (next.size > 256) fail(`more than 256 ways to replay the log without ${[...left]}`);
      without = [...next.values()];
    }
    real = type.apply(real, clone(entry.op));
  }
  return { real, without };
}

/**
 * The op that takes document `from` to `to`, keeping the tokens they share (null if it cannot);
 * in a gap where it both removes and adds tokens, it removes first or adds first (the log does
 * not say which of those tokens came first in the gap).
 */
function difference(kind, from, to, deletesFirst) {
  if (kind === 'text') return textDifference(Array.from(from), Array.from(to), deletesFirst);
  const ops = [];
  const keep = common(from.cards.map((c) => c.id), to.cards.map((c) => c.id));
  if (keep === null) return null;
  let i = 0;
  let j = 0;
  let at = 0;
  for (const [ki, kj] of keep.concat([[from.cards.length, to.cards.length]])) {
    const gone = from.cards.slice(i, ki);
    const added = to.cards.slice(j, kj);
    const removes = gone.map((c) => ({ p: ['cards', deletesFirst ? at : at + added.length], ld: clone(c) }));
    const inserts = added.map((c, k) => ({ p: ['cards', at + k], li: clone(c) }));
    ops.push(...(deletesFirst ? removes.concat(inserts) : inserts.concat(removes)));
    at += added.length + 1;
    i = ki + 1;
    j = kj + 1;
  }
  const notes = textDifference(Array.from(from.notes), Array.from(to.notes), deletesFirst);
  if (notes === null) return null;
  if (notes.length > 0) ops.push({ p: ['notes'], t: 'text-unicode', o: notes });
  return ops;
}

function textDifference(from, to, deletesFirst) {
  const keep = common(from, to);
  if (keep === null) return null;
  const op = [];
  let i = 0;
  let j = 0;
  for (const [ki, kj] of keep.concat([[from.length, to.length]])) {
    if (deletesFirst && ki > i) op.push({ d: ki - i });
    if (kj > j) op.push(to.slice(j, kj).join(''));
    if (!deletesFirst && ki > i) op.push({ d: ki - i });
    if (ki < from.length) op.push(1);
    i = ki + 1;
    j = kj + 1;
  }
  return textUnicode.normalize(op);
}

/**
 * The index pairs of the tokens `a` and `b` share (each token unique), or null when they do
 * not come in the same order: a document the log cannot lead to (a tie resolved the other way).
 */
function common(a, b) {
  const inB = new Map(b.map((t, j) => [t, j]));
  const pairs = a.map((t, i) => [i, inB.get(t)]).filter(([, j]) => j !== undefined);
  return pairs.every(([, j], k) => k === 0 || j > pairs[k - 1][1]) ? pairs : null;
}

function clone(v) { return JSON.parse(JSON.stringify(v)); }

/** With DUMP set, the log a failure message ends with (version, author, op per line). */
function dumped(log) {
  return process.env.DUMP ? '\n' + log.slice(1).map((l) => l.version + ' ' + l.src.slice(-3) + ' ' + JSON.stringify(l.op)).join('\n') : '';
}

/**
 * The versions a replay leaves out to make the document as `chains` (one client's steps, each the
 * versions of the ops it went through: its edit, then each undo and redo of it) leave it: an
 * undone step, none of its ops; a standing one (undone and redone, maybe several times), its edit
 * alone (each undo and its redo cancel).
 */
function leftOut(chains) {
  const out = new Set();
  for (const chain of chains) chain.forEach((v, i) => { if (chain.length % 2 === 0 || i > 0) out.add(v); });
  return out;
}

async function converge(docs) {
  for (let i = 0; i < 400; i++) {
    await Promise.all(docs.map((d) => new Promise((r) => d.whenNothingPending(r))));
    const v = docs[0].version;
    if (docs.every((d) => d.version === v) && docs.every((d) => JSON.stringify(d.data) === JSON.stringify(docs[0].data))) {
      return;
    }
    await sleep(10);
  }
  fail('clients did not converge: ' + docs.map((d) => d.version + ' ' + JSON.stringify(d.data)).join(' | '));
}

/**
 * A random edit by client k: the op, and the tokens it inserts and removes. It removes no token
 * in `claimed` (what another client removes in the same round, or the undoing client's step
 * touches): two removals of one token at once commit as one, which the targeted cases check.
 */
function randomEdit(kind, k, data, claimed) {
  const free = (tokens) => tokens.every((t) => !claimed.has(t));
  const take = (e) => { e.del.forEach((t) => claimed.add(t)); return e; };
  if (kind === 'text') {
    const chars = Array.from(data);
    for (let tries = 0; chars.length > 0 && tries < 5 && random() < 0.5; tries++) {
      const at = pick(chars.length);
      const n = 1 + pick(Math.min(3, chars.length - at));
      if (free(chars.slice(at, at + n))) {
        return take({ op: at === 0 ? [{ d: n }] : [at, { d: n }], ins: [], del: chars.slice(at, at + n) });
      }
    }
    const at = pick(chars.length + 1);
    const s = [charOf(k), charOf(k)].slice(0, 1 + pick(2));
    return { op: at === 0 ? [s.join('')] : [at, s.join('')], ins: s, del: [] };
  }
  const cards = data.cards;
  const notes = Array.from(data.notes);
  const r = random();
  if (r < 0.3 || cards.length === 0) {
    const card = { id: cardOf(k), x: pick(100) };
    return { op: [{ p: ['cards', pick(cards.length + 1)], li: card }], ins: [card.id], del: [] };
  }
  if (r < 0.45) {
    const i = pick(cards.length);
    if (free([cards[i].id])) return take({ op: [{ p: ['cards', i], ld: cards[i] }], ins: [], del: [cards[i].id] });
  }
  if (notes.length > 0 && r < 0.65) {
    const at = pick(notes.length);
    const o = at === 0 ? [{ d: 1 }] : [at, { d: 1 }];
    if (free([notes[at]])) return take({ op: [{ p: ['notes'], t: 'text-unicode', o }], ins: [], del: [notes[at]] });
  }
  const at = pick(notes.length + 1);
  const c = charOf(k);
  return { op: [{ p: ['notes'], t: 'text-unicode', o: at === 0 ? [c] : [at, c] }], ins: [c], del: [] };
}

async function property(kind, initial) {
  const id = kind + '-' + run;
  const conns = [connect(), connect(), connect()];
  const docs = conns.map((c) => c.get('undo', id));
  await promisify((f) => docs[0].create(initial, kind === 'text' ? textUnicode.uri : json0.uri, f));
  await Promise.all(docs.map((d) => promisify((f) => d.subscribe(f))));
  // captureMs 0: every op is its own step, as the model below counts them.
  const undos = docs.map((d) => new UndoManager(d, { captureMs: 0 }));
  let sent = null;
  undos.forEach((u) => u.on('undone', (op) => { sent = op; }));
  // The model: per client, its steps as {ins, del} token sets, as its stacks hold them.
  const model = docs.map(() => ({ undo: [], redo: [] }));
  const deleters = new Map(); // token -> clients that removed it in some step
  // A token client j removes is gone for the steps of the other clients' stacks that would
  // remove it then: the manager's step no longer removes it, however the token comes back later
  // (someone's undo putting it back is a new insert to everyone else). A client's own removals
  // do not count (its stacks hold them as later steps, undone first), and neither do removals
  // from before a step was made (the token was back when the step removed it).
  const removedBy = (t, j) => {
    deleters.set(t, (deleters.get(t) || new Set()).add(j));
    model.forEach((m, k) => {
      if (k === j) return;
      for (const s of m.undo) if (s.ins.includes(t)) s.gone.add(t);
      for (const s of m.redo) if (s.del.includes(t)) s.gone.add(t);
    });
  };
  let checked = 0;
  let replayChecked = 0;
  let replayTies = 0;
  const chains = docs.map(() => []); // per client, the versions of each of its steps' ops
  for (let round = 0; round < ROUNDS; round++) {
    const actor = pick(3);
    const action = random() < 0.6 ? 'undo' : 'redo';
    const before = tokensOf(kind, docs[actor].data);
    const othersIns = new Set();
    const othersDel = new Set();
    let step = null;
    let undoneAt = null;
    let baseV = null;
    let beforeData = null;
    let localAfter = null;
    const edits = [];
    const top = action === 'undo' ? model[actor].undo : model[actor].redo;
    const claimed = new Set(top.length > 0 ? top[top.length - 1].ins.concat(top[top.length - 1].del) : []);
    for (let k = 0; k < 3; k++) {
      if (k === actor) {
        const m = model[k];
        const from = action === 'undo' ? m.undo : m.redo;
        step = from.length > 0 ? from.pop() : null;
        const committed = (err) => { if (!err) undoneAt = docs[k].version - 1; };
        baseV = docs[k].version;
        beforeData = clone(docs[k].data);
        const did = action === 'undo' ? undos[k].undo(committed) : undos[k].redo(committed);
        localAfter = clone(docs[k].data);
        assert.strictEqual(did, step !== null, `round ${round}: client ${k} ${action}: the manager and the model disagree on whether there is a step (${kind}; model ${JSON.stringify(m)}; shadows ${JSON.stringify(undos[k].shadows.map((x) => ({op: x.op, kind: x.kind, inflight: x.carrier === docs[k].inflightOp, pending: docs[k].pendingOps.indexOf(x.carrier), nocarrier: x.carrier === null})))} inflight ${JSON.stringify(docs[k].inflightOp && docs[k].inflightOp.op)}; manager undo ${JSON.stringify(undos[k].undoStack)} redo ${JSON.stringify(undos[k].redoStack)}; data ${JSON.stringify(docs[k].data)})`);
        if (step) (action === 'undo' ? m.redo : m.undo).push(step);
      } else {
        const e = randomEdit(kind, k, docs[k].data, claimed);
        e.chain = [];
        chains[k].push(e.chain);
        docs[k].submitOp(e.op, (err) => { if (!err) e.chain.push(docs[k].version - 1); });
        e.ins.forEach((t) => othersIns.add(t));
        e.del.forEach((t) => othersDel.add(t));
        edits.push([k, e]);
        model[k].redo = [];
      }
    }
    await converge(docs);
    const after = tokensOf(kind, docs[actor].data);
    if (step) {
      checked++;
      // Against the log: the document the undo or redo made, at once, before anything else
      // arrived, is the log's document without the undone op (and without everything else the
      // actor's steps undid), exactly.
      assert(undoneAt !== null, `round ${round}: the version of the ${action}`);
      step.chain.push(undoneAt);
      const log = await logOf(id);
      const left = leftOut(chains[actor]);
      const { real, without } = replay(kind, log, baseV, left);
      assert.deepStrictEqual(real, beforeData, `round ${round}: the log replayed to version ${baseV} is not the document`);
      assert(without.some((w) => JSON.stringify(w) === JSON.stringify(localAfter)),
        `round ${round}: client ${actor}'s ${action} (${kind}) made ${JSON.stringify(localAfter)}; the log without versions ${[...left]} makes ${without.map((w) => JSON.stringify(w)).join(' or ')}` + dumped(log));
      replayChecked++;
      if (without.length > 1) replayTies++;
      const inserted = action === 'undo' ? step.del : step.ins; // what the undo or redo puts back
      const removed = action === 'undo' ? step.ins : step.del;
      const beforeSet = new Set(before);
      const afterSet = new Set(after);
      // A token someone else removed while the step was on a stack is no longer the step's: if
      // it is back, an op of theirs (an undo) put it back, the server committed that as their
      // insert, and taking it away would undo their edit. It is checked as others' work below.
      const mine = (t) => !step.gone.has(t);
      for (const t of removed.filter(mine)) {
        assert(!afterSet.has(t), `round ${round}: client ${actor}'s ${action} left ${t} of its step (${kind}); step ${JSON.stringify(step)}, sent ${JSON.stringify(sent)}, before ${JSON.stringify(before.join(''))}, after ${JSON.stringify(after.join(''))}, model ${JSON.stringify(model[actor])}`);
      }
      for (const t of inserted) {
        // Removed by someone else too: the server committed only one removal (see below).
        const alsoRemoved = [...(deleters.get(t) || [])].some((k) => k !== actor) || othersDel.has(t);
        if (!alsoRemoved) {
          assert(afterSet.has(t), `round ${round}: client ${actor}'s ${action} did not bring back ${t} (${kind})`);
        }
      }
      const own = new Set(step.ins.concat(step.del).filter(mine));
      for (const t of new Set([...beforeSet, ...afterSet, ...othersIns])) {
        if (own.has(t)) continue;
        const expected = othersDel.has(t) ? false : (beforeSet.has(t) || othersIns.has(t));
        assert.strictEqual(afterSet.has(t), expected,
          `round ${round}: ${t} is ${afterSet.has(t) ? 'present' : 'gone'} after client ${actor}'s ${action} (${kind}); others' work must survive`);
      }
      const kept = after.filter((t) => beforeSet.has(t));
      const keptBefore = before.filter((t) => afterSet.has(t));
      assert.deepStrictEqual(kept, keptBefore, `round ${round}: order changed by client ${actor}'s ${action} (${kind})`);
    }
    // What the round removed, by the edits and by the actor's undo or redo (its step is on the
    // actor's other stack now; the edits' steps are pushed after, being made concurrently).
    for (const [k, e] of edits) e.del.forEach((t) => removedBy(t, k));
    if (step) (action === 'undo' ? step.ins : step.del).filter((t) => before.includes(t)).forEach((t) => removedBy(t, actor));
    for (const [k, e] of edits) model[k].undo.push(Object.assign(e, { gone: new Set() }));
    // Steps nothing is left of leave the stacks: they put nothing back, and everything they
    // would take away someone else has removed (a client's own later steps do not count: they
    // are undone first).
    for (const m of model) {
      for (const which of ['undo', 'redo']) {
        m[which] = m[which].filter((s) => {
          const puts = which === 'undo' ? s.del : s.ins;
          const takes = which === 'undo' ? s.ins : s.del;
          return puts.length > 0 || takes.some((t) => !s.gone.has(t));
        });
      }
    }
  }
  undos.forEach((u) => u.destroy());
  conns.forEach((c) => c.close());
  console.log(`${kind}: ${ROUNDS} rounds, ${checked} undos and redos checked (${replayChecked} against the log, ${replayTies} of them with a tie the log leaves open), ${tokensOf(kind, docs[0].data).length} tokens at the end`);
}

/** Two people delete the same text; the other's delete commits first: undoing must not bring it back. */
async function sameDeleteOtherFirst() {
  const id = 'same-delete-' + run;
  const ann = connect().get('undo', id);
  const bob = connect().get('undo', id);
  await promisify((f) => bob.create('keep gone', textUnicode.uri, f));
  await promisify((f) => ann.fetch(f)); // not subscribed: Bob's op reaches Ann only before her ack
  const undo = new UndoManager(ann, { captureMs: 0 });
  await promisify((f) => bob.submitOp([5, { d: 4 }], f));
  await promisify((f) => ann.submitOp([5, { d: 4 }], f));
  assert.strictEqual(ann.data, 'keep ');
  undo.undo();
  await promisify((f) => ann.whenNothingPending(f));
  await promisify((f) => ann.fetch(f));
  assert.strictEqual(ann.data, 'keep ', 'Bob deleted "gone" first: Ann\'s undo must not bring it back');
  console.log('same delete, the other first: kept deleted');
}

/** Two people set the same key; the other's commits first: undoing restores the other's value. */
async function sameKeyOtherFirst() {
  const id = 'same-key-' + run;
  const ann = connect().get('undo', id);
  const bob = connect().get('undo', id);
  await promisify((f) => bob.create({ color: 'grey' }, json0.uri, f));
  await promisify((f) => ann.fetch(f));
  const undo = new UndoManager(ann, { captureMs: 0 });
  await promisify((f) => bob.submitOp([{ p: ['color'], od: 'grey', oi: 'blue' }], f));
  await promisify((f) => ann.submitOp([{ p: ['color'], od: 'grey', oi: 'red' }], f));
  assert.strictEqual(ann.data.color, 'red');
  undo.undo();
  await promisify((f) => ann.whenNothingPending(f));
  await promisify((f) => ann.fetch(f));
  assert.strictEqual(ann.data.color, 'blue', 'undoing Ann\'s red brings back Bob\'s blue, not the grey before');
  console.log('same key, the other first: the other\'s value restored');
}

/** Keystrokes within captureMs are one step; an undo asked for before the acks waits for them. */
async function groupingAndUnconfirmed() {
  const id = 'group-' + run;
  const doc = connect().get('undo', id);
  await promisify((f) => doc.create('', textUnicode.uri, f));
  let now = 0;
  const undo = new UndoManager(doc, { captureMs: 500, now: () => now });
  for (const [i, c] of Array.from('hello').entries()) {
    now += 100;
    doc.submitOp(i === 0 ? [c] : [i, c]);
  }
  now += 2000;
  doc.submitOp([5, ' world']);
  assert(undo.canUndo());
  assert.strictEqual(undo.undo(), true, 'an undo right after typing, before any ack');
  await promisify((f) => doc.whenNothingPending(f));
  await sleep(50);
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, 'hello', 'the undo waited for the acks and took " world" only');
  undo.undo();
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, '', 'the five keystrokes 100 ms apart were one step');
  undo.redo();
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, 'hello');
  undo.redo();
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, 'hello world');
  assert.strictEqual(undo.canRedo(), false);
  // A hold makes one step of edits however far apart (a drag held still, then moved on).
  undo.hold();
  for (const c of ['!', '?', '.']) {
    now += 3000;
    doc.submitOp([doc.data.length, c]);
    await promisify((f) => doc.whenNothingPending(f));
  }
  undo.release();
  now += 100;
  doc.submitOp([doc.data.length, '#']);
  await promisify((f) => doc.whenNothingPending(f));
  undo.undo();
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, 'hello world!?.', 'the edit after release() is a step of its own');
  undo.undo();
  await promisify((f) => doc.whenNothingPending(f));
  assert.strictEqual(doc.data, 'hello world', 'the three held edits, 3 s apart, were one step');
  console.log('grouping and undo before the acks: as typed; a hold is one step');
}

/**
 * A remote op that comes while an undo is unconfirmed was made before that undo: it moves the
 * step left on the stack only once passed through the undo. Ann types "XYZ", then "abc" before
 * it; she undoes "abc" while Bob's "q" between the two is committed first. Her next undo takes
 * "XYZ" and leaves Bob's "q" (moved by the stack without the undo in between, it would take "qXY").
 */
async function remoteWhileAnUndoIsUnconfirmed() {
  const id = 'past-undo-' + run;
  const ann = connect().get('undo', id);
  const bob = connect().get('undo', id);
  await promisify((f) => ann.create('', textUnicode.uri, f));
  const undo = new UndoManager(ann, { captureMs: 0 });
  await promisify((f) => ann.submitOp(['XYZ'], f));
  await promisify((f) => ann.submitOp(['abc'], f));
  await promisify((f) => bob.fetch(f));
  assert.strictEqual(bob.data, 'abcXYZ');
  await promisify((f) => bob.submitOp([3, 'q'], f));
  // Ann is not subscribed: Bob's op reaches her while her undo waits for its ack.
  assert.strictEqual(undo.undo(), true);
  await promisify((f) => ann.whenNothingPending(f));
  assert.strictEqual(ann.data, 'qXYZ');
  assert.strictEqual(undo.undo(), true);
  await promisify((f) => ann.whenNothingPending(f));
  await promisify((f) => ann.fetch(f));
  assert.strictEqual(ann.data, 'q', 'the second undo takes "XYZ" and leaves Bob\'s "q"');
  console.log('a remote op while an undo is unconfirmed: passed through it first');
}

/**
 * Edits made offline are steps like any other: Ann loses her connection, types two steps, Bob
 * edits meanwhile; on reconnecting her ops (which the sharedb client composes into one) commit
 * past Bob's, and her undos take her steps newest first, then the one from before, Bob's text
 * untouched; her redos bring them back.
 */
async function acrossAReconnect() {
  const id = 'reconnect-' + run;
  const annConnection = connect();
  const ann = annConnection.get('undo', id);
  const bob = connect().get('undo', id);
  await promisify((f) => ann.create('base', textUnicode.uri, f));
  await promisify((f) => ann.subscribe(f));
  await promisify((f) => bob.subscribe(f));
  const undo = new UndoManager(ann, { captureMs: 0 });
  await promisify((f) => ann.submitOp([4, ' one'], f));
  while (bob.version < ann.version) await sleep(10);
  const gone = new Promise((resolve) => annConnection.on('state', (state) => state === 'disconnected' && resolve()));
  annConnection.socket.close();
  await gone;
  ann.submitOp([8, ' two']);
  ann.submitOp([0, '> ']);
  assert.strictEqual(ann.data, '> base one two');
  await promisify((f) => bob.submitOp([4, ' bob'], f));
  annConnection.bindToSocket(new WebSocket(url));
  await promisify((f) => ann.whenNothingPending(f));
  assert.strictEqual(ann.data, '> base bob one two', 'the offline ops commit past Bob\'s');
  const expected = ['base bob one two', 'base bob one', 'base bob'];
  for (const text of expected) {
    assert.strictEqual(undo.undo(), true);
    await promisify((f) => ann.whenNothingPending(f));
    assert.strictEqual(ann.data, text, 'undo after the reconnect');
  }
  assert.strictEqual(undo.canUndo(), false);
  for (const text of expected.reverse().slice(1).concat(['> base bob one two'])) {
    assert.strictEqual(undo.redo(), true);
    await promisify((f) => ann.whenNothingPending(f));
    assert.strictEqual(ann.data, text, 'redo after the reconnect');
  }
  while (bob.version < ann.version) await sleep(10);
  assert.strictEqual(bob.data, '> base bob one two', 'Bob sees what Ann sees');
  console.log('across a reconnect: offline steps undone newest first, then the earlier one; redone');
}

async function main() {
  await property('text', 'abc ');
  await property('json', { cards: [], notes: '' });
  await sameDeleteOtherFirst();
  await sameKeyOtherFirst();
  await groupingAndUnconfirmed();
  await remoteWhileAnUndoIsUnconfirmed();
  await acrossAReconnect();
  console.log('OK');
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
