// The whiteboard: the json0 document board/NAME, {"shapes": {id: {kind, x, y, w, h, color,
// text}}}, drawn as SVG. Notes and shapes are added, dragged and resized (the drag streams, one
// op per animation frame), recolored, retitled and deleted; each change sets only the fields it
// changes, so concurrent edits of different fields or shapes all survive. Undo and redo take
// back this user's own changes only.
//
// A drag, a resize or a text edit of a shape holds an edit lock on it (locks.js), asked for when
// it starts and applied to the document only once granted; refused, it does not start ("Locked
// by Ann"). Shapes others hold are drawn with the holder's name in their color and cannot be
// dragged, recolored, retitled or deleted; read-only users see the locks and take none.
'use strict';
const UndoManager = require('./undo.js');
const {undoControls} = require('./undo-controls.js');
const {EditLocks} = require('./locks.js');
const {$, notice, denied, colorOf} = require('./page.js');

const SVG = 'http://www.w3.org/2000/svg';

function svgElement(tag, attributes) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  return el;
}

function board(link, name, me, token) {
  const svg = $('#board');
  const input = $('#shape-text');
  const palette = [...document.querySelectorAll('.palette button')];
  let selected = null;
  /** The drag or resize under way: {id, resize, x0, y0, px, py, s (the shape once locked), lease, ended}. */
  let drag = null;
  /** The text edit under way: {id, lease, ended, text}. */
  let typing = null;

  const level = token.docLevel('board', name);
  const writable = level === 'write';
  if (!level) notice('Access denied: you may not open the whiteboard');
  if (!writable) {
    for (const id of ['#add-note', '#add-shape', '#delete-shape']) $(id).disabled = true;
    svg.classList.add('read-only');
    if (level) notice('the whiteboard is read-only for you');
  }
  const doc = link.doc('board', name, {writable, initial: () => [{shapes: {}}], what: 'the whiteboard'});
  const undo = new UndoManager(doc);
  const locks = new EditLocks(link, doc);
  doc.on('op', (op, source) => {
    draw();
    // The selected shape's text as others (or an undo) left it; this page's typing is there already.
    const s = selected && shapes()[selected];
    if (s && source !== 'local' && input.value !== s.text) input.value = s.text;
  });
  doc.on('create', draw);
  doc.on('load', draw);
  locks.on('change', draw);

  const shapes = () => (doc.data && doc.data.shapes) || {};
  const lockOn = (id) => locks.heldByOther(['shapes', id]);
  const submit = (op) => writable && doc.submitOp(op, {source: 'local'}, (err) => err && refused(err));
  const set = (id, field, value) => {
    const old = shapes()[id][field];
    if (old === value) return null;
    return {p: ['shapes', id, field], od: old, oi: value};
  };

  // What the server refused, said in the toolbar for a few seconds (the sharedb client has
  // already rolled a refused op back).
  let said = null;
  function say(text) {
    const el = $('#board-status');
    el.textContent = text;
    clearTimeout(said);
    said = setTimeout(() => { el.textContent = ''; }, 4000);
  }
  const lockedBy = (holder) => 'Locked by ' + (holder.name || holder.user);
  function refused(err) {
    if (err.code === 'ERR_LOCKED') say(err.holder ? lockedBy(err.holder) : err.message);
    else if (err.code === 'ERR_ACCESS_DENIED') denied(err, 'the whiteboard');
    else say(err.message);
  }

  function add(kind) {
    if (!doc.type) return;
    const id = Math.random().toString(36).slice(2, 10);
    const n = Object.keys(shapes()).length;
    const shape = kind === 'note'
      ? {kind, x: 30 + (n * 37) % 600, y: 30 + (n * 53) % 360, w: 140, h: 100, color: '#fff59d', text: 'Note by ' + me.name}
      : {kind, x: 60 + (n * 41) % 600, y: 60 + (n * 29) % 360, w: 110, h: 80, color: '#90caf9', text: ''};
    submit([{p: ['shapes', id], oi: shape}]);
    select(id);
  }

  function select(id) {
    if (typing && typing.id !== id) stopTyping();
    selected = id;
    const s = shapes()[id];
    input.value = s ? s.text : '';
    draw();
    if (document.activeElement === input) startTyping();
  }

  function draw() {
    const all = shapes();
    if (selected && !all[selected]) selected = null;
    svg.textContent = '';
    for (const [id, s] of Object.entries(all)) {
      const lock = lockOn(id);
      const g = svgElement('g', {class: 'shape' + (id === selected ? ' selected' : '') + (lock ? ' locked' : ''),
        transform: `translate(${s.x},${s.y})`});
      g.dataset.id = id;
      g.dataset.x = s.x;
      g.dataset.y = s.y;
      g.append(s.kind === 'ellipse'
        ? svgElement('ellipse', {cx: s.w / 2, cy: s.h / 2, rx: s.w / 2, ry: s.h / 2, fill: s.color, class: 'body'})
        : svgElement('rect', {width: s.w, height: s.h, rx: 6, fill: s.color, class: 'body'}));
      const label = svgElement('text', {x: 10, y: 24});
      label.textContent = s.text;
      g.append(label);
      g.append(svgElement('rect', {class: 'handle', x: s.w - 10, y: s.h - 10, width: 10, height: 10}));
      svg.append(g);
      if (lock) drawLock(g, lock);
    }
    const heldSelection = selected && lockOn(selected);
    input.disabled = !selected || !!heldSelection;
    $('#delete-shape').disabled = !writable || !!heldSelection;
    for (const b of palette) b.disabled = !writable || !!heldSelection;
  }

  /** Someone else's lock on shape `g`: an outline and a tag with their name, in their color. */
  function drawLock(g, lock) {
    const who = lock.name || lock.user;
    const color = colorOf(lock.user);
    g.dataset.lockedBy = who;
    g.style.setProperty('--c', color);
    const title = svgElement('title', {});
    title.textContent = lockedBy(lock);
    g.prepend(title);
    const tag = svgElement('g', {class: 'lock-tag', transform: 'translate(0,-18)'});
    const text = svgElement('text', {x: 5, y: 12});
    text.textContent = who;
    const box = svgElement('rect', {height: 16, rx: 3, fill: color});
    tag.append(box, text);
    g.append(tag);
    box.setAttribute('width', text.getComputedTextLength() + 10); // measurable once in the page
  }

  // ---------- drags and resizes: locked first, then streamed live, one op per animation frame at most ----------
  svg.addEventListener('pointerdown', (e) => {
    svg.focus(); // its keys: undo and redo
    const g = e.target.closest('g.shape');
    if (!g) { select(null); return; }
    const id = g.dataset.id;
    select(id);
    if (!writable) return;
    const held = lockOn(id);
    if (held) { say(lockedBy(held)); return; }
    undo.hold();
    const d = drag = {id, resize: e.target.classList.contains('handle'), x0: e.clientX, y0: e.clientY,
      px: e.clientX, py: e.clientY, s: null, lease: null, ended: false};
    svg.setPointerCapture(e.pointerId);
    locks.acquire(['shapes', id], {onLost: (err) => { lostDrag(d); refused(err); }}).then((lease) => {
      d.lease = lease;
      d.s = shapes()[id] && {...shapes()[id]};
      moveShape(d);
      if (d.ended) lease.release();
    }, (err) => {
      endDrag(d);
      refused(err);
    });
  });
  svg.addEventListener('pointermove', (e) => {
    const d = drag;
    if (!d) return;
    d.px = e.clientX;
    d.py = e.clientY;
    if (!d.lease || d.frame) return;
    d.frame = true;
    requestAnimationFrame(() => {
      d.frame = false;
      if (!d.ended) moveShape(d);
    });
  });
  /** The shape where the pointer now puts it: only the fields that change. */
  function moveShape(d) {
    if (!d.s || !shapes()[d.id]) return;
    const dx = d.px - d.x0;
    const dy = d.py - d.y0;
    const want = d.resize
      ? {w: Math.max(30, Math.round(d.s.w + dx)), h: Math.max(30, Math.round(d.s.h + dy))}
      : {x: Math.round(d.s.x + dx), y: Math.round(d.s.y + dy)};
    const op = Object.entries(want).map(([k, v]) => set(d.id, k, v)).filter(Boolean);
    if (op.length) submit(op);
  }
  /** The drag is over; its last position goes out, then the lock (or on the grant, if that is still to come). */
  function endDrag(d) {
    if (!d || d.ended) return;
    if (drag === d) drag = null;
    d.ended = true;
    if (d.lease) {
      moveShape(d);
      d.lease.release();
    }
    undo.release();
  }
  /** The lock was lost (not renewed in time, and someone else took it): nothing more goes out. */
  function lostDrag(d) {
    if (drag === d) drag = null;
    d.ended = true;
    undo.release();
  }
  svg.addEventListener('pointerup', () => endDrag(drag));
  svg.addEventListener('pointercancel', () => endDrag(drag));

  // ---------- the selected shape's text: locked while the field has the focus ----------
  function startTyping() {
    if (!writable || !selected || typing) return;
    const t = typing = {id: selected, lease: null, ended: false, text: null};
    undo.cut();
    locks.acquire(['shapes', t.id], {onLost: (err) => { if (typing === t) stopTyping(); refused(err); }}).then((lease) => {
      t.lease = lease;
      // What was typed while the lock was asked for goes out now.
      const op = shapes()[t.id] && set(t.id, 'text', t.ended ? t.text : input.value);
      if (op) submit([op]);
      if (t.ended) lease.release();
    }, (err) => {
      if (typing === t) typing = null;
      t.ended = true;
      refused(err);
      if (selected === t.id && shapes()[t.id]) input.value = shapes()[t.id].text;
      if (document.activeElement === input) svg.focus();
    });
  }
  function stopTyping() {
    const t = typing;
    if (!t) return;
    typing = null;
    t.ended = true;
    t.text = input.value;
    if (t.lease) t.lease.release();
  }
  input.addEventListener('focus', startTyping);
  input.addEventListener('blur', stopTyping);
  input.addEventListener('input', () => {
    if (!typing || !typing.lease || typing.id !== selected || !shapes()[selected]) return;
    const op = set(selected, 'text', input.value);
    if (op) submit([op]);
  });

  // ---------- buttons ----------
  $('#add-note').addEventListener('click', () => add('note'));
  $('#add-shape').addEventListener('click', () => add('ellipse'));
  $('#delete-shape').addEventListener('click', () => {
    if (selected && shapes()[selected]) submit([{p: ['shapes', selected], od: shapes()[selected]}]);
    select(null);
  });
  for (const button of palette) {
    button.style.background = button.dataset.color;
    button.addEventListener('click', () => {
      const op = selected && shapes()[selected] && set(selected, 'color', button.dataset.color);
      if (op) submit([op]);
    });
  }

  // An undo or redo selects the shape it changed, if it is still there. A drag or a resize is one
  // step however long it lasts (hold/release); a text edit starts a new step (cut), and within
  // it changes closer together than the UndoManager's captureMs join one step.
  undo.on('undone', (op) => {
    const c = op.find((x) => x.p[0] === 'shapes' && x.p.length > 1);
    if (c && shapes()[c.p[1]]) select(c.p[1]);
  });
  undoControls(undo, {within: [svg, input], undoButton: $('#board-undo'), redoButton: $('#board-redo'),
    done: (err) => err && refused(err)});
  return {doc, add, undo, locks};
}

module.exports = {board};
