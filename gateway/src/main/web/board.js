// The whiteboard: the json0 document board/NAME, {"shapes": {id: {kind, x, y, w, h, color,
// text}}}, drawn as SVG. Notes and shapes are added, dragged and resized (the drag streams, one
// op per animation frame), recolored, retitled and deleted; each change sets only the fields it
// changes, so concurrent edits of different fields or shapes all survive. Undo and redo take
// back this user's own changes only.
'use strict';
const UndoManager = require('./undo.js');
const {undoControls} = require('./undo-controls.js');
const {$, notice, denied} = require('./page.js');

const SVG = 'http://www.w3.org/2000/svg';

function board(link, name, me, token) {
  const svg = $('#board');
  let selected = null;
  let drag = null;

  const level = token.docLevel('board', name);
  const writable = level === 'write';
  if (!level) notice('Access denied: you may not open the whiteboard');
  if (!writable) {
    for (const id of ['#add-note', '#add-shape', '#delete-shape']) $(id).disabled = true;
    svg.classList.add('read-only');
    if (level) notice('the whiteboard is read-only for you');
  }
  const doc = link.doc('board', name, {writable, initial: () => [{shapes: {}}], what: 'the whiteboard'});
  const input = $('#shape-text');
  const undo = new UndoManager(doc);
  doc.on('op', (op, source) => {
    draw();
    // The selected shape's text as others (or an undo) left it; this page's typing is there already.
    const s = selected && shapes()[selected];
    if (s && source !== 'local' && input.value !== s.text) input.value = s.text;
  });
  doc.on('create', draw);
  doc.on('load', draw);

  const shapes = () => (doc.data && doc.data.shapes) || {};
  const submit = (op) => writable && doc.submitOp(op, {source: 'local'});
  const set = (id, field, value) => {
    const old = shapes()[id][field];
    if (old === value) return null;
    return {p: ['shapes', id, field], od: old, oi: value};
  };

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
    selected = id;
    const s = shapes()[id];
    input.value = s ? s.text : '';
    input.disabled = !s;
    draw();
  }

  function draw() {
    const all = shapes();
    if (selected && !all[selected]) selected = null;
    svg.textContent = '';
    for (const [id, s] of Object.entries(all)) {
      const g = document.createElementNS(SVG, 'g');
      g.setAttribute('class', 'shape' + (id === selected ? ' selected' : ''));
      g.dataset.id = id;
      g.dataset.x = s.x;
      g.dataset.y = s.y;
      g.setAttribute('transform', `translate(${s.x},${s.y})`);
      const body = document.createElementNS(SVG, s.kind === 'ellipse' ? 'ellipse' : 'rect');
      if (s.kind === 'ellipse') {
        body.setAttribute('cx', s.w / 2); body.setAttribute('cy', s.h / 2);
        body.setAttribute('rx', s.w / 2); body.setAttribute('ry', s.h / 2);
      } else {
        body.setAttribute('width', s.w); body.setAttribute('height', s.h); body.setAttribute('rx', 6);
      }
      body.setAttribute('fill', s.color);
      body.setAttribute('class', 'body');
      g.append(body);
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', 10); label.setAttribute('y', 24);
      label.textContent = s.text;
      g.append(label);
      const handle = document.createElementNS(SVG, 'rect');
      handle.setAttribute('class', 'handle');
      handle.setAttribute('x', s.w - 10); handle.setAttribute('y', s.h - 10);
      handle.setAttribute('width', 10); handle.setAttribute('height', 10);
      g.append(handle);
      svg.append(g);
    }
  }

  // Drags and resizes stream live: one op per animation frame at most.
  svg.addEventListener('pointerdown', (e) => {
    svg.focus(); // its keys: undo and redo
    const g = e.target.closest('g.shape');
    if (!g) { select(null); return; }
    const id = g.dataset.id;
    select(id);
    const s = shapes()[id];
    undo.cut();
    drag = {id, resize: e.target.classList.contains('handle'), x0: e.clientX, y0: e.clientY, s: {...s}, frame: false, last: null};
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag || !shapes()[drag.id]) return;
    const dx = e.clientX - drag.x0;
    const dy = e.clientY - drag.y0;
    drag.last = drag.resize
      ? {w: Math.max(30, Math.round(drag.s.w + dx)), h: Math.max(30, Math.round(drag.s.h + dy))}
      : {x: Math.round(drag.s.x + dx), y: Math.round(drag.s.y + dy)};
    if (drag.frame) return;
    drag.frame = true;
    requestAnimationFrame(() => {
      if (!drag) return;
      drag.frame = false;
      flushDrag();
    });
  });
  function flushDrag() {
    if (!drag || !drag.last || !shapes()[drag.id]) return;
    const op = Object.entries(drag.last).map(([k, v]) => set(drag.id, k, v)).filter(Boolean);
    drag.last = null;
    if (op.length) submit(op);
  }
  const end = () => { flushDrag(); drag = null; };
  svg.addEventListener('pointerup', end);
  svg.addEventListener('pointercancel', end);

  $('#add-note').addEventListener('click', () => add('note'));
  $('#add-shape').addEventListener('click', () => add('ellipse'));
  $('#delete-shape').addEventListener('click', () => {
    if (selected && shapes()[selected]) submit([{p: ['shapes', selected], od: shapes()[selected]}]);
    select(null);
  });
  for (const button of document.querySelectorAll('.palette button')) {
    button.style.background = button.dataset.color;
    button.addEventListener('click', () => {
      const op = selected && shapes()[selected] && set(selected, 'color', button.dataset.color);
      if (op) submit([op]);
    });
  }
  input.addEventListener('focus', () => undo.cut());
  input.addEventListener('input', () => {
    const op = selected && shapes()[selected] && set(selected, 'text', input.value);
    if (op) submit([op]);
  });

  // An undo or redo selects the shape it changed, if it is still there. A drag or a text edit
  // starts a new step (cut); within one, changes closer together than the UndoManager's
  // captureMs join one step (a drag held still for longer makes two).
  undo.on('undone', (op) => {
    const c = op.find((x) => x.p[0] === 'shapes' && x.p.length > 1);
    if (c && shapes()[c.p[1]]) select(c.p[1]);
  });
  undoControls(undo, {within: [svg, input], undoButton: $('#board-undo'), redoButton: $('#board-redo'),
    done: (err) => denied(err, 'the whiteboard')});
  return {doc, add, undo};
}

module.exports = {board};
