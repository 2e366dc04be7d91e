// The call pane: the document's call (room call:NAME) with a video tile per peer, mute and
// camera toggles, chat and reactions. A small call is a mesh: each peer an RTCPeerConnection
// negotiated by negotiation.js over signaling.js, chat over a data channel. When the room outgrows
// a mesh the server says {"type":"sfu"}: the page closes its peer connections and sends its
// media once to the SFU, receiving everyone else's from it (sfu.js); chat then goes as room
// broadcasts. The tiles stay the same. While in the call, stats.js reports its quality to the
// server, and each tile shows how that participant's media arrives (quality.js).
'use strict';
const Negotiation = require('./negotiation.js');
const {Quality} = require('./quality.js');
const Sfu = require('./sfu.js');
const Signaling = require('./signaling.js');
const {CallStats} = require('./stats.js');
const {$, notice} = require('../page.js');

/**
 * @param options loopbackOnly: send only candidates on 127.0.0.1 (the browser tests);
 *   relayOnly: connect through TURN only (iceTransportPolicy "relay"); simulcast: true or false
 *   to force it (default: when the camera gives at least 640 pixels across, below which Chromium
 *   sends one layer anyway); layer: the simulcast layer to receive through the SFU (0, 1, 2)
 */
function call(name, me, token, {loopbackOnly, relayOnly, simulcast, layer, camera = '320x240'}) {
  const room = 'call:' + name;
  const signaling = new Signaling(room, token);
  const iceTransportPolicy = relayOnly ? 'relay' : 'all';
  const peers = new Map();
  let myId = null;
  let stream = null;
  let iceServers = [];
  let sfu = null;
  let generation = 0; // how many times this page connected to an SFU (a failover makes a new one)
  const keepCandidate = (c) => !loopbackOnly || !c.address || c.address === '127.0.0.1';
  const mode = () => (sfu ? 'sfu' : 'mesh');
  const quality = new Quality();
  const reports = new CallStats(signaling, {
    connections: () => (sfu ? sfu.connections()
      : [...peers.values()].filter((p) => p.pc).map((p) => ({peer: p.id, pc: p.pc, from: () => p.id}))),
    mode,
    onReport: (r) => showQuality(quality.grades(r)),
  });

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
      const badge = document.createElement('span');
      badge.className = 'quality';
      badge.hidden = true;
      el.append(video, caption, badge);
      $('#tiles').append(el);
    }
    el.querySelector('figcaption').textContent = label;
    if (media) el.querySelector('video').srcObject = media;
    return el;
  }

  /** Each participant's badge: how their media reached this page since the last report. */
  function showQuality(grades) {
    for (const id of peers.keys()) {
      const el = document.getElementById('tile-' + id);
      if (!el) continue;
      const badge = el.querySelector('.quality');
      const q = grades.get(id);
      badge.hidden = !q;
      if (!q) continue;
      badge.textContent = q.grade;
      badge.dataset.quality = q.grade;
      badge.title = [['loss', q.loss * 100, '%'], ['jitter', q.jitterMs, ' ms'], ['round trip', q.rttMs, ' ms']]
        .filter(([, v]) => !Number.isNaN(v)).map(([what, v, unit]) => what + ' ' + v.toFixed(1) + unit).join(', ');
    }
  }

  function say(line) {
    const li = document.createElement('li');
    li.textContent = line;
    $('#chat-log').append(li);
    li.scrollIntoView({block: 'nearest'});
  }

  function peer(id, meta) {
    if (peers.has(id)) return peers.get(id);
    if (sfu) {
      const p = {id, meta: meta || {}};
      peers.set(id, p);
      tile(id, label(p.meta, id), null, false);
      return p;
    }
    const pc = new RTCPeerConnection({iceServers, iceTransportPolicy});
    reports.watch(pc);
    const p = {id, meta: meta || {}, pc};
    p.negotiation = new Negotiation(pc, {
      polite: myId < id,
      send: (data) => signaling.signal(id, data),
      keepCandidate,
    });
    peers.set(id, p);
    pc.ontrack = ({streams}) => tile(id, label(p.meta, id), streams[0], false);
    p.chat = pc.createDataChannel('chat', {negotiated: true, id: 0});
    p.chat.onmessage = (e) => say((p.meta.name || id) + ': ' + e.data);
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    tile(id, label(p.meta, id), null, false);
    return p;
  }

  function drop(id) {
    const p = peers.get(id);
    if (!p) return;
    if (p.negotiation) p.negotiation.close();
    peers.delete(id);
    const el = document.getElementById('tile-' + id);
    if (el) el.remove();
  }

  /** The room moved to the SFU (or the SFU was replaced: restart): media goes through it from now on. */
  function toSfu(feeds) {
    for (const p of peers.values()) {
      if (p.negotiation) p.negotiation.close();
      delete p.negotiation;
      delete p.pc;
      delete p.chat;
    }
    if (sfu) sfu.close();
    generation++;
    sfu = new Sfu(signaling, {
      iceServers, iceTransportPolicy, stream, keepCandidate, substream: layer,
      simulcast: simulcast !== undefined ? simulcast
        : stream.getVideoTracks().some((t) => (t.getSettings().width || 0) >= 640),
      onConnection: (pc) => reports.watch(pc),
      onTrack: (id, media) => tile(id, label((peers.get(id) || {meta: {}}).meta, id), media, false),
      onGone: (id) => {
        const el = document.getElementById('tile-' + id);
        if (el) el.querySelector('video').srcObject = null;
      },
    });
    sfu.publish().catch((e) => say('cannot publish to the SFU: ' + e.message));
    if (feeds) sfu.feeds(feeds, myId);
    $('#tiles').dataset.mode = 'sfu';
  }

  signaling.on('joined', (m) => {
    myId = m.peerId;
    iceServers = m.iceServers || [];
    if (m.mode === 'sfu') {
      m.peers.forEach((x) => peers.set(x.peerId, {id: x.peerId, meta: x.meta || {}}));
      toSfu(m.feeds || []);
      m.peers.forEach((x) => tile(x.peerId, label(x.meta || {}, x.peerId), null, false));
    } else {
      m.peers.forEach((x) => peer(x.peerId, x.meta));
    }
  });
  signaling.on('sfu', (m) => {
    if (sfu && m.restart) reports.restarted();
    if (!sfu || m.restart) toSfu(null);
  });
  signaling.on('feeds', (m) => { if (sfu) sfu.feeds(m.feeds, myId); });
  signaling.on('peer-joined', (m) => peer(m.peerId, m.meta));
  signaling.on('peer-left', (m) => drop(m.peerId));
  signaling.on('signal', (m) => {
    if (sfu) return; // a mesh signal that crossed the move to the SFU
    (peers.get(m.from) || peer(m.from, {})).negotiation.receive(m.data);
  });
  signaling.on('broadcast', (m) => {
    const who = peers.get(m.from);
    if (m.data && m.data.chat) say(((who && who.meta.name) || m.from) + ': ' + m.data.chat);
    if (!m.data || !m.data.reaction) return;
    react(m.data.reaction, who ? who.meta.name : m.from);
  });
  signaling.on('error', (m) => {
    if (m.code === 'FORBIDDEN') {
      notice('Access denied: you may not join this call');
      say('access denied: ' + m.message);
    } else {
      say('signaling: ' + m.code + ' ' + m.message);
    }
  });

  async function join() {
    const [width, height] = camera.split('x').map(Number);
    stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width, height}});
    tile('me', me.name + ' (you)', stream, true);
    signaling.join({name: me.name, color: me.color});
    // The time to first media counts from here: a permission prompt for the camera is not the call's.
    reports.start();
    $('#join-call').disabled = true;
    $('#leave-call').disabled = false;
    for (const b of document.querySelectorAll('.in-call')) b.disabled = false;
  }

  async function leave() {
    $('#leave-call').disabled = true;
    await reports.stop();
    if (sfu) sfu.close();
    sfu = null;
    signaling.leave();
    [...peers.keys()].forEach(drop);
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
  $('#leave-call').addEventListener('click', () => leave().catch((e) => say('cannot leave: ' + e.message)));
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
    if (sfu) signaling.broadcast({chat: text});
    for (const p of peers.values()) if (p.chat && p.chat.readyState === 'open') p.chat.send(text);
    say(me.name + ': ' + text);
    $('#chat-text').value = '';
  });
  for (const b of document.querySelectorAll('.react')) {
    b.addEventListener('click', () => { signaling.broadcast({reaction: b.textContent}); react(b.textContent, me.name); });
  }

  /** What the call receives, per peer, from getStats(). */
  async function stats() {
    const out = {};
    if (sfu) {
      const {decoded, width, outbound, layers, sent} = await sfu.counts();
      for (const p of peers.values()) {
        out[p.meta.name || p.id] = {video: decoded[p.id] || 0, width: width[p.id] || 0, mode: 'sfu', outbound, layers, sent, generation};
      }
      return out;
    }
    for (const p of peers.values()) {
      const s = {video: 0, audio: 0, state: p.pc.connectionState, signaling: p.pc.signalingState,
        gathering: p.pc.iceGatheringState, polite: p.negotiation.polite, log: p.negotiation.log.slice()};
      (await p.pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') s.video = r.framesDecoded || 0;
        if (r.type === 'inbound-rtp' && r.kind === 'audio') s.audio = r.packetsReceived || 0;
      });
      out[p.meta.name || p.id] = s;
    }
    return out;
  }
  return {join, leave, stats, peers, mode, lastReport: () => reports.last()};
}

module.exports = {call};
