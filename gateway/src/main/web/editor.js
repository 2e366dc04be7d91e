// The notes: a textarea bound to the text-unicode document text/NAME. Typing becomes ops (in
// code points, as the type counts), remote ops move the caret and selection as the type
// transforms them, and everyone else's caret and selection are drawn in their color with their
// name (ShareDB document presence). Undo and redo take back this user's own edits only.
'use strict';
const ShareDB = require('sharedb/lib/client');
const textType = require('../js/text-unicode-presence.js');
const UndoManager = require('./undo.js');
const {undoControls} = require('./undo-controls.js');
const {$, notice, denied} = require('./page.js');

ShareDB.types.register(textType);

// ---------- code points and UTF-16 ----------
const cpLength = (s) => { let n = 0; for (const _ of s) n++; return n; };
function cpOf(s, utf16) { return cpLength(s.slice(0, utf16)); }
function utf16Of(s, cp) {
  let i = 0;
  for (const ch of s) { if (cp-- <= 0) break; i += ch.length; }
  return i;
}

/** The text-unicode op from `before` to `after`: the changed middle, inserts before deletes. */
function diffOp(before, after) {
  const a = [...before];
  const b = [...after];
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const inserted = b.slice(pre, b.length - suf).join('');
  const deleted = a.length - pre - suf;
  const op = [];
  if (pre > 0 && (inserted || deleted)) op.push(pre);
  if (inserted) op.push(inserted);
  if (deleted) op.push({d: deleted});
  return op;
}

/** Where a text-unicode op changes the text: its first insert or delete, in code points; null for none. */
function changeOf(op) {
  let at = 0;
  for (const c of op) {
    if (typeof c === 'number') at += c;
    else return {at, inserted: typeof c === 'string' ? cpLength(c) : 0};
  }
  return null;
}

function notes(link, name, me, token) {
  const area = $('#text');
  const mirror = $('#carets');
  let shadow = '';
  const others = new Map();

  const level = token.docLevel('text', name);
  const writable = level === 'write';
  if (!level) notice('Access denied: you may not open the notes');
  if (!writable) {
    area.readOnly = true;
    if (level) notice('the notes are read-only for you');
  }
  const doc = link.doc('text', name, {writable, initial: () => ['', textType.uri], what: 'the notes'});
  doc.on('create', load);
  doc.on('load', load);
  function load() {
    shadow = doc.data || '';
    area.value = shadow;
    area.disabled = false;
    drawCarets();
  }

  area.addEventListener('input', () => {
    if (!doc.type) return;
    const next = area.value;
    const op = diffOp(shadow, next);
    shadow = next;
    if (op.length) doc.submitOp(op, {source: 'local'});
    sendCaret();
  });

  // This page's typing is in the textarea already; remote ops, and this page's undos and redos
  // (made by the UndoManager, not typed), are not.
  doc.on('op', (op, source) => {
    if (source && source !== UndoManager.UNDO && source !== UndoManager.REDO) return;
    const text = doc.data;
    const start = textType.transformPresence({index: cpOf(area.value, area.selectionStart), length: 0}, op, false).index;
    const end = textType.transformPresence({index: cpOf(area.value, area.selectionEnd), length: 0}, op, false).index;
    const focused = document.activeElement === area;
    area.value = text;
    shadow = text;
    if (focused) area.setSelectionRange(utf16Of(text, start), utf16Of(text, end));
    drawCarets();
  });

  // The caret goes where the undone or redone edit was: after text it brings back, where text it removes was.
  const undo = new UndoManager(doc);
  undo.on('undone', (op) => {
    const change = changeOf(op);
    if (!change) return;
    const at = utf16Of(area.value, change.at + change.inserted);
    area.focus();
    area.setSelectionRange(at, at);
    sendCaret();
  });
  undoControls(undo, {within: [area], undoButton: $('#text-undo'), redoButton: $('#text-redo'),
    done: (err) => denied(err, 'the notes')});

  // Carets and selections: ShareDB document presence.
  const presence = link.connection.getDocPresence('text', name);
  presence.subscribe((err) => err && console.error(err));
  const local = presence.create(me.name + '-' + Math.random().toString(36).slice(2, 8));
  let queued = false;
  function sendCaret() {
    if (queued || !doc.type) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const start = cpOf(area.value, area.selectionStart);
      const end = cpOf(area.value, area.selectionEnd);
      local.submit({index: start, length: end - start, name: me.name, color: me.color}, (e) => e && console.warn(e));
    });
  }
  document.addEventListener('selectionchange', () => { if (document.activeElement === area) sendCaret(); });
  area.addEventListener('keyup', sendCaret);
  area.addEventListener('mouseup', sendCaret);
  presence.on('receive', (id, value) => {
    if (value) others.set(id, Object.assign({}, value, {shownName: link.publisher('text.' + name, id, value)}));
    else others.delete(id);
    drawCarets();
  });
  area.addEventListener('scroll', () => { mirror.scrollTop = area.scrollTop; });

  function drawCarets() {
    const text = area.value;
    const marks = [...others.entries()]
        .filter(([, v]) => typeof v.index === 'number')
        .map(([id, v]) => ({id, at: Math.min(v.index, cpLength(text)), len: Math.max(0, v.length || 0), v}))
        .sort((x, y) => x.at - y.at);
    mirror.textContent = '';
    let cursor = 0;
    for (const m of marks) {
      const from = utf16Of(text, m.at);
      if (from > cursor) mirror.append(document.createTextNode(text.slice(cursor, from)));
      cursor = Math.max(cursor, from);
      const caret = document.createElement('span');
      caret.className = 'caret';
      caret.dataset.name = m.v.shownName;
      caret.style.setProperty('--c', m.v.color || '#888');
      const label = document.createElement('span');
      label.className = 'caret-label';
      label.textContent = m.v.shownName;
      caret.append(label);
      mirror.append(caret);
      if (m.len > 0) {
        const to = utf16Of(text, m.at + m.len);
        const sel = document.createElement('span');
        sel.className = 'selection';
        sel.style.setProperty('--c', m.v.color || '#888');
        sel.textContent = text.slice(cursor, to);
        mirror.append(sel);
        cursor = Math.max(cursor, to);
      }
    }
    mirror.append(document.createTextNode(text.slice(cursor) + '\n'));
    mirror.scrollTop = area.scrollTop;
    $('#people').textContent = [me.name + ' (you)', ...[...others.values()].map((v) => v.shownName)].join(', ');
  }
  return {doc, presence, area, undo};
}

module.exports = {notes};
