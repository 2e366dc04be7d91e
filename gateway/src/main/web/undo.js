// Undo and redo of one user's own edits on a sharedb Doc, for text-unicode and json0 (with
// text-unicode ops inside json0 through {p, t: 'text-unicode', o}: register the npm type with
// json0 as a subtype, as ShareDB clients do). Works with any sharedb client: it listens to the
// Doc and its Connection, and submits its undos and redos with doc.submitOp.
//
//   const UndoManager = require('./undo.js');
//   const undo = new UndoManager(doc, { captureMs: 500, max: 1000 });
//   undo.undo(); undo.redo(); undo.canUndo(); undo.canRedo();
//   undo.on('change', () => ...);          // the stacks changed (enable buttons)
//   undo.on('undone', (op, which) => ...); // an undo or redo applied locally: op, to place the caret
//   undo.hold(); ... undo.release();   // everything between is one step (a drag)
//   undo.destroy();
//   UndoManager.invertible(type, op, data) // `op` with what its deletes remove from `data`
//
// What it guarantees: undoing a step removes exactly what this user's ops in that step did, as
// the server committed them, where that now is, and nothing of anyone else's: the document
// becomes what it would be had those ops never been made (the ops after them rebased).
//
// How. The server may commit a user's op in another form than the client applied it: an op of
// someone else committed first transforms it (two people deleting the same word: the later
// delete commits as nothing; two people setting the same key: the later one replaces the
// earlier value, not the one it saw). So the steps are kept in the server's frame: the stacks
// hold inverses that apply to the document as the server has it (the local document without
// this client's unconfirmed ops), built from each op as it is acknowledged, in its committed
// form. Unconfirmed ops are shadowed, with their deleted text and values (taken from the
// document just before each applies), and transformed exactly as the server transforms them:
// against each remote op as it arrives, in the form the server sent it (the Connection's
// 'receive' event, before the Doc transforms it for its own pending ops). A remote op also
// moves every step of both stacks (newest first, the remote op transformed past each step on
// its way down; past an unconfirmed undo or redo first for the stack it was taken from, whose
// steps now apply after it). An undo or redo asked for while ops are unconfirmed waits for their
// acknowledgement (a round trip); an edit made meanwhile cancels it. Keystrokes within
// `captureMs` of each other make one step. Ops waiting offline or across a reconnect are
// shadows like any other. A rejected op (rolled back by the client) or a reload of the document
// clears both stacks: a step could otherwise restore what the server refused.
'use strict';

const { EventEmitter } = require('events');
const textUnicode = require('ot-text-unicode').type;

// The `source` this module's own submissions carry, so that its handlers tell them apart.
const UNDO = { undo: true };
const REDO = { redo: true };

class UndoManager extends EventEmitter {
  constructor(doc, options = {}) {
    super();
    this.doc = doc;
    this.captureMs = options.captureMs === undefined ? 500 : options.captureMs;
    this.max = options.max === undefined ? 1000 : options.max;
    this.now = options.now || (() => Date.now());
    this.undoStack = [];
    this.redoStack = [];
    /** This client's ops the server has not acknowledged: {op, kind, joins, carrier, dropRedo}. */
    this.shadows = [];
    this.lastEditAt = -Infinity;
    this.holding = false;
    this.holdStarted = false;
    this.queued = null;
    this.remoteExpected = 0;
    this.docHandlers = {
      'before op batch': (op, source) => { if (source) this.beforeLocalOp(op, source); },
      'op batch': (op, source) => { if (!source) this.afterRemoteApplied(); },
      load: () => this.clear(),
      create: () => this.clear(),
      del: () => this.clear(),
    };
    for (const [event, fn] of Object.entries(this.docHandlers)) doc.on(event, fn);
    this.onReceive = (request) => this.receive(request.data);
    doc.connection.on('receive', this.onReceive);
  }

  destroy() {
    for (const [event, fn] of Object.entries(this.docHandlers)) this.doc.removeListener(event, fn);
    this.doc.connection.removeListener('receive', this.onReceive);
    this.clear();
  }

  canUndo() { return this.undoStack.length > 0 || this.shadows.some((s) => s.kind === 'edit'); }

  canRedo() { return this.redoStack.length > 0; }

  clear() {
    const changed = this.undoStack.length > 0 || this.redoStack.length > 0;
    this.undoStack = [];
    this.redoStack = [];
    this.shadows = [];
    this.queued = null;
    this.remoteExpected = 0;
    this.lastEditAt = -Infinity;
    if (changed) this.emit('change');
  }

  /** Ends the current step: the next edit starts a new one however soon it comes. */
  cut() {
    this.lastEditAt = -Infinity;
  }

  /**
   * Makes every edit until release() one step, however long it takes (a drag held still for a
   * while, then moved on, is one move). It starts a new step, as cut() does.
   */
  hold() {
    this.cut();
    this.holding = true;
    this.holdStarted = false;
  }

  /** Ends a hold(): the next edit starts a new step. */
  release() {
    this.holding = false;
    this.cut();
  }

  /** Undoes this user's latest step (now, or once its ops are acknowledged); false when there is none. */
  undo(callback) {
    return this.request('undo', callback);
  }

  redo(callback) {
    return this.request('redo', callback);
  }

  request(which, callback) {
    this.cut();
    if (this.shadows.length > 0) {
      if (which === 'redo' && this.redoStack.length === 0 && !this.shadows.some((s) => s.kind === 'undo')) return false;
      if (which === 'undo' && !this.canUndo()) return false;
      this.queued = { which, callback };
      return true;
    }
    return this.replay(which, callback);
  }

  replay(which, callback) {
    const stack = which === 'undo' ? this.undoStack : this.redoStack;
    const type = this.doc.type;
    while (type && stack.length > 0) {
      const step = stack.pop();
      const op = strip(type, step);
      if (isNoop(type, op)) continue;
      this.doc.submitOp(op, { source: which === 'undo' ? UNDO : REDO }, callback);
      this.emit('undone', op, which);
      this.emit('change');
      return true;
    }
    this.emit('change');
    return false;
  }

  /** A message from the server, before the Doc handles it. */
  receive(m) {
    const doc = this.doc;
    if (!m || m.a !== 'op' || m.c !== doc.collection || m.d !== doc.id || m.error) return;
    const inflight = doc.inflightOp;
    if (inflight && m.src === inflight.src && m.seq === inflight.seq) {
      this.acknowledged(inflight);
      return;
    }
    if (doc.version == null || m.v !== doc.version || !doc.type || !supported(doc.type)) return;
    if (m.create || m.del) {
      this.clear(); // a create or delete by someone else: a new document
      return;
    }
    // An op without a body is a no-op someone committed (a sharedb server commits those): it
    // moves nothing, and the Doc applies nothing for it (no 'op batch' to expect).
    if (!m.op) return;
    this.remoteExpected++;
    this.remote(clone(m.op));
  }

  /** A remote op in the server's frame: it moves the stacks, then this client's unconfirmed ops. */
  remote(op) {
    const type = this.doc.type;
    // An unconfirmed undo (or redo) has already left its stack: that stack's top now applies to
    // the document after it, so the remote op moves past it first (the other stack gets its
    // inverse only on the ack, and is still in the frame before it). Undos and redos are sent
    // only when nothing is unconfirmed, so such a shadow can only be the first.
    const head = this.shadows.length > 0 && this.shadows[0].kind !== 'edit' ? this.shadows[0] : null;
    const past = head ? type.transform(op, head.op, 'right') : op;
    this.undoStack = transformStack(type, this.undoStack, head && head.kind === 'undo' ? past : op);
    this.redoStack = transformStack(type, this.redoStack, head && head.kind === 'redo' ? past : op);
    let r = op;
    for (const s of this.shadows) {
      const mine = s.op;
      s.op = type.transform(mine, r, 'left');
      r = type.transform(r, mine, 'right');
    }
    this.emit('change');
  }

  /** A remote op applied: one that came without a message from the server is a rollback. */
  afterRemoteApplied() {
    if (this.remoteExpected > 0) {
      this.remoteExpected--;
      return;
    }
    if (this.doc.type && supported(this.doc.type)) this.clear();
  }

  /** The server acknowledged `carrier`: the shadows it carries are committed as they now are. */
  acknowledged(carrier) {
    const type = this.doc.type;
    this.assignCarriers();
    while (this.shadows.length > 0 && this.shadows[0].carrier === carrier) {
      const s = this.shadows.shift();
      const inverse = type.invert(s.op);
      if (isNoop(type, inverse)) continue; // committed as nothing (someone did the same first)
      if (s.kind === 'undo') {
        if (!s.dropRedo) this.push(this.redoStack, inverse);
      } else if (s.kind === 'redo') {
        this.push(this.undoStack, inverse);
      } else if (s.joins && this.undoStack.length > 0) {
        // One step: undoing it undoes this op, then what came before it in the step.
        const top = this.undoStack.length - 1;
        this.undoStack[top] = type.compose(inverse, this.undoStack[top]);
      } else {
        this.push(this.undoStack, inverse);
      }
    }
    this.emit('change');
    if (this.shadows.length === 0 && this.queued) {
      // After the Doc has handled this acknowledgement (this runs before it does).
      const queued = this.queued;
      Promise.resolve().then(() => {
        if (this.queued !== queued) return;
        this.queued = null;
        this.replay(queued.which, queued.callback);
      });
    }
  }

  beforeLocalOp(op, source) {
    const type = this.doc.type;
    if (!type || !supported(type)) return;
    const kind = source === UNDO ? 'undo' : source === REDO ? 'redo' : 'edit';
    const shadow = { op: invertible(type, op, this.doc.data), kind, joins: false, carrier: null, dropRedo: false };
    if (kind === 'edit') {
      const at = this.now();
      shadow.joins = this.holding ? this.holdStarted : at - this.lastEditAt < this.captureMs;
      if (this.holding) this.holdStarted = true;
      this.lastEditAt = at;
      this.redoStack = [];
      this.queued = null;
      for (const s of this.shadows) if (s.kind === 'undo') s.dropRedo = true;
    }
    this.shadows.push(shadow);
    // The Doc has queued the op (or composed it into its last queued op) before this event, so
    // its newest queued op carries it; inside another op's event handlers it queues it later.
    if (this.doc.applyStack) Promise.resolve().then(() => this.assignCarriers());
    else this.assignCarriers();
    this.emit('change');
  }

  assignCarriers() {
    const doc = this.doc;
    const newest = doc.pendingOps.length > 0 ? doc.pendingOps[doc.pendingOps.length - 1] : doc.inflightOp;
    for (const s of this.shadows) if (s.carrier === null) s.carrier = newest;
  }

  push(stack, op) {
    stack.push(op);
    if (stack.length > this.max) stack.shift();
  }
}

/**
 * Steps apply newest first: the newest to the current document, each older one to the document
 * as the newer ones leave it. A remote op moves past each step; both are transformed.
 */
function transformStack(type, stack, remote) {
  let r = remote;
  const out = new Array(stack.length);
  const json = isJson0(type);
  for (let i = stack.length - 1; i >= 0; i--) {
    const step = stack[i];
    if (json && apart(step, r)) {
      // Disjoint parts of the document: both transforms would return their input. A whiteboard
      // drag of someone else's shape passes 1,000 steps on other shapes in well under a ms.
      out[i] = step;
      continue;
    }
    out[i] = type.transform(step, r, 'left');
    r = type.transform(r, step, 'right');
  }
  return out.filter((step) => !isNoop(type, step));
}

/** Whether no component of json0 op `a` can affect one of `b` or the other way round. */
function apart(a, b) {
  for (const x of a) {
    for (const y of b) {
      if (!componentsApart(x.p, y.p)) return false;
    }
  }
  return true;
}

/**
 * A json0 component acts on the last key of its path, inside the container the rest names. Two
 * components are apart when the shorter one's container is not on the longer one's path, or is
 * an object they reach through different keys (object keys do not shift; list indexes do).
 */
function componentsApart(p, q) {
  const [short, long] = p.length <= q.length ? [p, q] : [q, p];
  const k = short.length - 1;
  if (k < 0) return false;
  for (let i = 0; i < k; i++) {
    if (short[i] !== long[i]) return true;
  }
  return typeof short[k] === 'string' && typeof long[k] === 'string' && short[k] !== long[k];
}

function isText(type) { return type.name === 'text-unicode'; }

function isJson0(type) { return type.name === 'json0'; }

function supported(type) { return isText(type) || isJson0(type); }

/** `op`, which is about to apply to `data`, with what its deletes remove. */
function invertible(type, op, data) {
  if (isText(type)) return type.makeInvertible(op, data);
  const out = [];
  // json0 applies in place: later components are read from a copy the earlier ones changed.
  let doc = op.length > 1 ? clone(data) : data;
  for (const c of op) {
    const exact = Object.assign({}, c);
    if (c.ld !== undefined) exact.ld = clone(at(doc, c.p));
    if (c.od !== undefined) exact.od = clone(at(doc, c.p));
    if (c.sd !== undefined) {
      const from = c.p[c.p.length - 1];
      exact.sd = at(doc, c.p.slice(0, -1)).slice(from, from + c.sd.length);
    }
    if (c.t === 'text-unicode' && c.o) exact.o = textUnicode.makeInvertible(c.o, at(doc, c.p));
    out.push(exact);
    if (op.length > 1) doc = type.apply(doc, [exact]);
  }
  return out;
}

/** What is sent: text deletes without their text (smaller, and what any server expects). */
function strip(type, op) {
  if (isText(type)) return type.stripInvertible(op);
  return op.map((c) => (c.t === 'text-unicode' && c.o
    ? Object.assign({}, c, { o: textUnicode.stripInvertible(c.o) }) : c));
}

function isNoop(type, op) {
  if (isText(type)) return type.normalize(op).length === 0;
  return op.length === 0;
}

function at(data, path) {
  let v = data;
  for (const key of path) v = v[key];
  return v;
}

function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

UndoManager.UNDO = UNDO;
UndoManager.REDO = REDO;
UndoManager.invertible = invertible;
module.exports = UndoManager;
