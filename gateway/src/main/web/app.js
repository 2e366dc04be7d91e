// Tandem's demo client: a shared text editor (text-unicode, with everyone's carets), a shared
// whiteboard (json0: sticky notes and shapes) and a call (WebRTC through /v1/signal), for one
// document named in the URL (#name). Bundled by the Maven build (build.js); nothing is loaded
// from anywhere but this server.
'use strict';
const ShareDB = require('sharedb/lib/client');
const {Token} = require('./token.js');
const textType = require('../js/text-unicode-presence.js');
ShareDB.types.register(textType);

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];
const me = {
  name: params.get('name') || localStorage.getItem('tandem-name') || 'guest-' + Math.random().toString(36).slice(2, 6),
  color: COLORS[Math.floor(Math.random() * COLORS.length)],
};
localStorage.setItem('tandem-name', me.name);
const loopbackOnly = params.get('loopback') === '1';
const token = new Token(me.name.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64));

// What the token does not allow, said plainly at the top of the page.
function notice(text) {
  const el = $('#access');
  el.hidden = false;
  if (!el.textContent.includes(text)) el.textContent = (el.textContent ? el.textContent + ' · ' : '') + text;
}
function denied(err, what) {
  if (err && err.code === 'ERR_ACCESS_DENIED') notice('Access denied: you may not open ' + what);
  else if (err) console.error(err);
}

// ---------- which document ----------
function docName() {
  return decodeURIComponent(location.hash.slice(1)).trim();
}

$('#open').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('#doc-name').value.trim();
  if (name) location.hash = encodeURIComponent(name);
});
window.addEventListener('hashchange', () => location.reload());

// ---------- the connection: reconnects by itself, can be taken offline on purpose ----------
class Link {
  constructor() {
    this.offline = false;
    this.delay = 250;
    this.connection = null;
    this.docs = [];
    this.open();
    setInterval(() => this.render(), 250);
  }

  url() {
    // Ops are recorded as made by the token's user (its sub); the token rides as a subprotocol.
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/docs';
  }

  open() {
    const socket = new WebSocket(this.url(), token.protocols());
    socket.addEventListener('open', () => { this.delay = 250; });
    // Tandem's auth extension: a notice before the token expires, answered with a fresh one.
    socket.addEventListener('message', (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch (x) { return; }
      if (m.a !== 'auth') return;
      if (m.expiring !== undefined) token.refresh();
      else if (m.error) notice('Your session was not renewed: ' + m.error.message);
    });
    socket.addEventListener('close', (e) => {
      if (this.offline || socket !== this.connection.socket) return;
      // 4401: the token expired; a fresh one first, then the same reconnect.
      const again = () => { if (!this.offline) this.open(); };
      setTimeout(() => (e.code === 4401 ? token.fetch().then(again, (x) => notice(x.message)) : again()), this.delay);
      this.delay = Math.min(5000, this.delay * 2);
    });
    if (this.connection) this.connection.bindToSocket(socket);
    else {
      this.connection = new ShareDB.Connection(socket);
      // Who published each presence, as the server admitted them (their token's user and name):
      // the sharedb client hands on only the value, whose own name is whatever that client says.
      this.publishers = new Map();
      this.connection.on('receive', (request) => {
        const m = request.data;
        if (m && m.a === 'p' && m.user && typeof m.id === 'string') this.publishers.set(m.ch + '\n' + m.id, m.user);
      });
    }
  }

  /** The name to show for presence {@code id} in channel {@code ch}: the server's, with what the value claims when it differs. */
  publisher(ch, id, value) {
    const user = this.publishers && this.publishers.get(ch + '\n' + id);
    const claimed = value && typeof value.name === 'string' ? value.name : '';
    if (!user) return claimed || '?';
    const shown = user.name || user.id;
    return claimed && claimed !== shown && claimed !== user.id ? claimed + ' (' + shown + ')' : shown;
  }

  setOffline(offline) {
    this.offline = offline;
    if (offline) this.connection.socket.close();
    else this.open();
    this.render();
  }

  pending() {
    return this.docs.reduce((n, d) => n + d.pendingOps.length + (d.inflightOp ? 1 : 0), 0);
  }

  state() {
    const pending = this.pending();
    if (this.offline) return {cls: 'offline', text: 'offline' + (pending ? ' · ' + pending + ' pending edit' + (pending > 1 ? 's' : '') : '')};
    if (this.connection.state === 'connected') return {cls: 'online', text: 'online' + (pending ? ' · sending ' + pending : '')};
    return {cls: 'reconnecting', text: 'reconnecting' + (pending ? ' · ' + pending + ' pending' : '')};
  }

  render() {
    const s = this.state();
    const el = $('#status');
    el.className = 'status ' + s.cls;
    el.textContent = s.text;
    $('#offline').textContent = this.offline ? 'Go online' : 'Work offline';
  }
}

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

// ---------- the text editor ----------
function editor(link, name) {
  const area = $('#text');
  const mirror = $('#carets');
  const doc = link.connection.get('text', name);
  link.docs.push(doc);
  let shadow = '';
  const others = new Map();

  const level = token.docLevel('text', name);
  const writable = level === 'write';
  if (!level) notice('Access denied: you may not open the notes');
  if (!writable) {
    area.readOnly = true;
    if (level) notice('the notes are read-only for you');
  }
  doc.on('error', (err) => denied(err, 'the notes'));
  doc.subscribe((err) => {
    if (err) return denied(err, 'the notes');
    if (!doc.type && writable) doc.create('', textType.uri, () => {});
    else load();
  });
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

  doc.on('op', (op, source) => {
    if (source) return;
    const text = doc.data;
    const start = textType.transformPresence({index: cpOf(area.value, area.selectionStart), length: 0}, op, false).index;
    const end = textType.transformPresence({index: cpOf(area.value, area.selectionEnd), length: 0}, op, false).index;
    const focused = document.activeElement === area;
    area.value = text;
    shadow = text;
    if (focused) area.setSelectionRange(utf16Of(text, start), utf16Of(text, end));
    drawCarets();
  });

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
  return {doc, presence, area};
}

// ---------- the whiteboard ----------
function board(link, name) {
  const svg = $('#board');
  const doc = link.connection.get('board', name);
  link.docs.push(doc);
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
  doc.on('error', (err) => denied(err, 'the whiteboard'));
  doc.subscribe((err) => {
    if (err) return denied(err, 'the whiteboard');
    if (!doc.type && writable) doc.create({shapes: {}}, () => {});
    draw();
  });
  doc.on('op', draw);
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
    $('#shape-text').value = s ? s.text : '';
    $('#shape-text').disabled = !s;
    draw();
  }

  function draw() {
    const all = shapes();
    if (selected && !all[selected]) selected = null;
    svg.textContent = '';
    for (const [id, s] of Object.entries(all)) {
      const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
      g.setAttribute('class', 'shape' + (id === selected ? ' selected' : ''));
      g.dataset.id = id;
      g.dataset.x = s.x;
      g.dataset.y = s.y;
      g.setAttribute('transform', `translate(${s.x},${s.y})`);
      const body = document.createElementNS('http://www.w3.org/2000/svg', s.kind === 'ellipse' ? 'ellipse' : 'rect');
      if (s.kind === 'ellipse') {
        body.setAttribute('cx', s.w / 2); body.setAttribute('cy', s.h / 2);
        body.setAttribute('rx', s.w / 2); body.setAttribute('ry', s.h / 2);
      } else {
        body.setAttribute('width', s.w); body.setAttribute('height', s.h); body.setAttribute('rx', 6);
      }
      body.setAttribute('fill', s.color);
      body.setAttribute('class', 'body');
      g.append(body);
      const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      label.setAttribute('x', 10); label.setAttribute('y', 24);
      label.textContent = s.text;
      g.append(label);
      const handle = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
      handle.setAttribute('class', 'handle');
      handle.setAttribute('x', s.w - 10); handle.setAttribute('y', s.h - 10);
      handle.setAttribute('width', 10); handle.setAttribute('height', 10);
      g.append(handle);
      svg.append(g);
    }
  }

  // Drags and resizes stream live: one op per animation frame at most.
  svg.addEventListener('pointerdown', (e) => {
    const g = e.target.closest('g.shape');
    if (!g) { select(null); return; }
    const id = g.dataset.id;
    select(id);
    const s = shapes()[id];
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
  $('#shape-text').addEventListener('input', () => {
    const op = selected && shapes()[selected] && set(selected, 'text', $('#shape-text').value);
    if (op) submit([op]);
  });
  return {doc, add};
}

// ---------- the call ----------
function call(name) {
  const room = 'call:' + name;
  const peers = new Map();
  let ws = null;
  let myId = null;
  let stream = null;
  let iceServers = [];

  // A peer's name as it gives it, and who the server says it is (its token's user) when that differs.
  function label(meta, id) {
    const name = meta.name || meta.user || id;
    return meta.user && meta.user !== name ? name + ' (' + meta.user + ')' : name;
  }

  function tile(id, label, media, muted) {
    let el = document.getElementById('tile-' + id);
    if (!el) {
      el = document.createElement('figure');
      el.id = 'tile-' + id;
      el.className = 'tile';
      const video = document.createElement('video');
      video.autoplay = true; video.playsInline = true; video.muted = muted;
      const caption = document.createElement('figcaption');
      el.append(video, caption);
      $('#tiles').append(el);
    }
    el.querySelector('figcaption').textContent = label;
    if (media) el.querySelector('video').srcObject = media;
    return el;
  }

  function say(line) {
    const li = document.createElement('li');
    li.textContent = line;
    $('#chat-log').append(li);
    li.scrollIntoView({block: 'nearest'});
  }

  function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); }

  function peer(id, meta) {
    if (peers.has(id)) return peers.get(id);
    const pc = new RTCPeerConnection({iceServers});
    const p = {id, meta: meta || {}, pc, polite: myId < id, makingOffer: false, ignoreOffer: false, log: []};
    // The last steps of the negotiation, for stats(): a call that does not connect says where it stopped.
    p.note = (step) => { p.log.push(step); if (p.log.length > 40) p.log.shift(); };
    peers.set(id, p);
    pc.onicecandidate = ({candidate}) => {
      if (candidate && loopbackOnly && candidate.address && candidate.address !== '127.0.0.1') return;
      send({type: 'signal', room, to: id, data: {candidate}});
    };
    pc.onnegotiationneeded = async () => {
      // No offer while a remote description is being taken (the polite peer's rollback makes the
      // connection stable for a moment): taking the offer would then roll this one back
      // implicitly, which can leave Chromium gathering no candidates for good. The browser asks
      // again once stable if negotiation is still needed.
      if (p.taking || pc.signalingState !== 'stable') {
        p.note('offer deferred');
        return;
      }
      // The first negotiation is the impolite peer's to open; the polite peer answers it. Both
      // peers learn of each other at once, and glare right then (the polite peer rolling its own
      // offer back) sometimes left Chromium's polite side gathering no candidates at all.
      // Should no offer come, the polite peer offers itself after a while.
      if (p.polite && !pc.currentRemoteDescription && !p.waited) {
        p.note('waiting for the first offer');
        p.waited = setTimeout(() => {
          if (!pc.currentRemoteDescription && pc.signalingState === 'stable') pc.onnegotiationneeded();
        }, 3000);
        return;
      }
      try {
        p.makingOffer = true;
        await pc.setLocalDescription();
        send({type: 'signal', room, to: id, data: {description: pc.localDescription}});
        p.note('out ' + pc.localDescription.type);
      } catch (e) { p.note('offer failed ' + e); } finally { p.makingOffer = false; }
    };
    pc.ontrack = ({streams}) => tile(id, label(p.meta, id), streams[0], false);
    // A call that does not connect, or drops, restarts ICE: new candidates, renegotiated. Only the
    // impolite peer restarts (the polite one answers): two peers that joined together would
    // otherwise restart at the same moment, every time, and their offers would collide again.
    p.watchdog = setInterval(() => {
      if (!p.polite && ['new', 'failed', 'disconnected'].includes(pc.connectionState) && pc.signalingState === 'stable') {
        p.note('ice restart');
        pc.restartIce();
      }
    }, 6000);
    p.chat = pc.createDataChannel('chat', {negotiated: true, id: 0});
    p.chat.onmessage = (e) => say((p.meta.name || id) + ': ' + e.data);
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    tile(id, label(p.meta, id), null, false);
    return p;
  }

  async function onSignal(p, {description, candidate}) {
    if (description) {
      p.taking = true;
      try {
        await takeDescription(p, description);
      } finally {
        p.taking = false;
      }
    } else if (candidate) {
      try { await p.pc.addIceCandidate(candidate); } catch (e) { if (!p.ignoreOffer) p.note('candidate refused ' + e); }
    }
  }

  async function takeDescription(p, description) {
    const pc = p.pc;
    const collision = description.type === 'offer' && (p.makingOffer || pc.signalingState !== 'stable');
    p.note('in ' + description.type + (collision ? ' (glare)' : ''));
    p.ignoreOffer = !p.polite && collision;
    if (p.ignoreOffer) return;
    if (collision) await pc.setLocalDescription({type: 'rollback'});
    await pc.setRemoteDescription(description);
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      send({type: 'signal', room, to: p.id, data: {description: pc.localDescription}});
      p.note('out answer');
    }
  }

  function drop(id) {
    const p = peers.get(id);
    if (!p) return;
    clearInterval(p.watchdog);
    clearTimeout(p.waited);
    p.pc.close();
    peers.delete(id);
    const el = document.getElementById('tile-' + id);
    if (el) el.remove();
  }

  // A fresh token goes to the signaling socket too: without one it closes at the token's expiry.
  token.onChange((t) => { if (ws && ws.readyState === 1) ws.send(JSON.stringify({type: 'auth', token: t})); });

  async function join() {
    stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
    tile('me', me.name + ' (you)', stream, true);
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/signal',
        token.protocols());
    ws.onopen = () => send({type: 'join', room, meta: {name: me.name, color: me.color}});
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'joined') {
        myId = m.peerId;
        iceServers = m.iceServers || [];
        m.peers.forEach((x) => peer(x.peerId, x.meta));
      } else if (m.type === 'peer-joined') {
        peer(m.peerId, m.meta);
      } else if (m.type === 'peer-left') {
        drop(m.peerId);
      } else if (m.type === 'signal') {
        const p = peers.get(m.from) || peer(m.from, {});
        // One at a time per peer: a candidate must not overtake the description before it.
        p.queue = (p.queue || Promise.resolve()).then(() => onSignal(p, m.data)).catch((err) => console.warn(err));
      } else if (m.type === 'broadcast' && m.data && m.data.reaction) {
        const who = peers.get(m.from);
        react(m.data.reaction, who ? who.meta.name : m.from);
      } else if (m.type === 'auth' && m.expiring !== undefined) {
        token.refresh();
      } else if (m.type === 'error' && m.code === 'FORBIDDEN') {
        notice('Access denied: you may not join this call');
        say('access denied: ' + m.message);
      } else if (m.type === 'error') {
        say('signaling: ' + m.code + ' ' + m.message);
      }
    };
    $('#join-call').disabled = true;
    $('#leave-call').disabled = false;
    for (const b of document.querySelectorAll('.in-call')) b.disabled = false;
  }

  function leave() {
    send({type: 'leave', room});
    [...peers.keys()].forEach(drop);
    if (ws) ws.close(1000);
    if (stream) stream.getTracks().forEach((t) => t.stop());
    const mine = document.getElementById('tile-me');
    if (mine) mine.remove();
    $('#join-call').disabled = false;
    $('#leave-call').disabled = true;
    for (const b of document.querySelectorAll('.in-call')) b.disabled = true;
  }

  function react(emoji, who) {
    const span = document.createElement('span');
    span.className = 'reaction';
    span.textContent = emoji + ' ' + who;
    $('#reactions').append(span);
    setTimeout(() => span.remove(), 4000);
  }

  $('#join-call').addEventListener('click', () => join().catch((e) => say('cannot join: ' + e.message)));
  $('#leave-call').addEventListener('click', leave);
  $('#mute').addEventListener('click', () => {
    const t = stream && stream.getAudioTracks()[0];
    if (t) { t.enabled = !t.enabled; $('#mute').textContent = t.enabled ? 'Mute' : 'Unmute'; }
  });
  $('#camera').addEventListener('click', () => {
    const t = stream && stream.getVideoTracks()[0];
    if (t) { t.enabled = !t.enabled; $('#camera').textContent = t.enabled ? 'Camera off' : 'Camera on'; }
  });
  $('#chat').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('#chat-text').value.trim();
    if (!text) return;
    for (const p of peers.values()) if (p.chat.readyState === 'open') p.chat.send(text);
    say(me.name + ': ' + text);
    $('#chat-text').value = '';
  });
  for (const b of document.querySelectorAll('.react')) {
    b.addEventListener('click', () => { send({type: 'broadcast', room, data: {reaction: b.textContent}}); react(b.textContent, me.name); });
  }

  /** What the call receives, per peer, from getStats(). */
  async function stats() {
    const out = {};
    for (const p of peers.values()) {
      const s = {video: 0, audio: 0, state: p.pc.connectionState, signaling: p.pc.signalingState,
        gathering: p.pc.iceGatheringState, polite: p.polite, log: p.log.slice()};
      (await p.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') s.video = r.framesDecoded || 0;
        if (r.type === 'inbound-rtp' && r.kind === 'audio') s.audio = r.packetsReceived || 0;
      });
      out[p.meta.name || p.id] = s;
    }
    return out;
  }
  return {join, leave, stats, peers};
}

// ---------- start ----------
const name = docName();
$('#me').textContent = me.name;
$('#me').style.color = me.color;
if (!name) {
  document.body.classList.add('no-doc');
} else {
  document.title = name + ' · Tandem';
  $('#doc-name').value = name;
  token.fetch().then(() => {
    me.name = token.sub;
    $('#me').textContent = me.name;
    const link = new Link();
    // A fresh token goes to the open connection at once (it replaces the grants, too).
    token.onChange((t) => {
      const s = link.connection.socket;
      if (s && s.readyState === 1) s.send(JSON.stringify({a: 'auth', token: t}));
    });
    $('#offline').addEventListener('click', () => link.setOffline(!link.offline));
    const text = editor(link, name);
    const whiteboard = board(link, name);
    const theCall = call(name);
    if (!token.mayJoin('call:' + name)) {
      $('#join-call').disabled = true;
      $('#join-call').title = 'your access does not include this call';
    }
    window.tandem = {link, text, whiteboard, call: theCall, me, token};
  }, (e) => {
    notice('Access denied: ' + e.message);
    $('#status').textContent = 'no access';
  });
}
