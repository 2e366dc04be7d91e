// Two headless Chromium pages call each other through Tandem's signaling, each page on a
// different signaling instance, and check from getStats() that audio and video flowed both ways
// and a data-channel message arrived.
// Usage: node webrtc-call.js HTTP_BASE_A HTTP_BASE_B MODE [ICE_SERVERS_JSON]
//   MODE direct:  host candidates on 127.0.0.1 only (others dropped in the page)
//   MODE relay:   iceTransportPolicy "relay" with the credentials from /v1/turn-credentials;
//                 the selected candidate pair must be relay on both sides
//   MODE expired: one page, relay only, with the (expired) iceServers given: no relay candidate
// Both pages start negotiating at the same moment, so their offers collide (glare); they run the
// web client's "perfect negotiation" (call/negotiation.js; polite peer: the smaller peer id) and
// still connect.
// Prints one JSON line with what each page saw; exits 0 when every check passes.
'use strict';
const {chromium} = require('playwright-core');
const esbuild = require('esbuild');
const path = require('path');

const [baseA, baseB, mode, iceJson] = process.argv.slice(2);
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
setTimeout(() => fail('timed out'), 90000).unref();

// The page runs the web client's own negotiation (gateway/src/main/web/call/negotiation.js),
// bundled here into a global Negotiation, so that what is tested is what ships.
const NEGOTIATION = esbuild.buildSync({
  entryPoints: [path.join(__dirname, '../../../../gateway/src/main/web/call/negotiation.js')],
  bundle: true, format: 'iife', globalName: 'Negotiation', write: false, logLevel: 'warning',
}).outputFiles[0].text;

const PAGE = `<!doctype html><html><body><script>${NEGOTIATION}</script><script>
window.call = {
  log: [],
  received: [],
  async join(signalUrl, room, iceServers, policy, loopbackOnly) {
    this.ws = new WebSocket(signalUrl);
    await new Promise((ok, no) => { this.ws.onopen = ok; this.ws.onerror = () => no(new Error('cannot open ' + signalUrl)); });
    this.iceServers = iceServers; this.policy = policy; this.loopbackOnly = loopbackOnly;
    this.ws.onmessage = (e) => this.onSignal(JSON.parse(e.data));
    this.ws.send(JSON.stringify({type: 'join', room, meta: {ua: 'test'}}));
    this.room = room;
    await new Promise((ok) => { this.known = ok; });
    return {me: this.me, other: this.other};
  },
  onSignal(m) {
    this.log.push(m.type);
    if (m.type === 'joined') {
      this.me = m.peerId;
      if (m.peers.length) { this.other = m.peers[0].peerId; this.known(); }
    } else if (m.type === 'peer-joined') {
      this.other = m.peerId; this.known();
    } else if (m.type === 'signal') {
      this.negotiation.receive(m.data);
      this.log.push('in ' + (m.data.description ? m.data.description.type : 'candidate'));
    } else if (m.type === 'error') {
      this.log.push('signaling error ' + m.code);
    }
  },
  send(data) {
    // What the negotiation sends before offer() (its offer and candidates) is held until then.
    if (this.held) this.held.push(data);
    else this.ws.send(JSON.stringify({type: 'signal', room: this.room, to: this.other, data}));
  },
  async media() {
    this.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  },
  async connect() {
    const pc = this.pc = new RTCPeerConnection({iceServers: this.iceServers, iceTransportPolicy: this.policy});
    this.gathered = [];
    this.held = [];
    this.negotiation = new Negotiation(pc, {
      polite: this.me < this.other,
      send: (data) => this.send(data),
      keepCandidate: (c) => {
        this.gathered.push(c.type + ' ' + c.address);
        return !this.loopbackOnly || c.address === '127.0.0.1';
      },
    });
    pc.onicecandidateerror = (e) => this.log.push('ice error ' + e.errorCode + ' ' + e.errorText + ' ' + e.url);
    pc.onicegatheringstatechange = () => this.log.push('gathering ' + pc.iceGatheringState);
    // Tracks and channel added together: one negotiation for both.
    this.chat = pc.createDataChannel('chat', {negotiated: true, id: 0});
    this.chat.onmessage = (e) => this.received.push(e.data);
    this.chat.onopen = () => this.chat.send('hello from ' + this.me);
    this.stream.getTracks().forEach((t) => pc.addTrack(t, this.stream));
    // Glare on purpose: both pages offer now (the polite one too, which the web client's polite
    // peer would not do at first) and the offers are held; offer() sends them. With both pages
    // holding one, each receives the other's offer while in have-local-offer.
    await this.negotiation.offer();
  },
  offer() {
    const held = this.held;
    this.held = null;
    held.forEach((data) => this.send(data));
  },
  async stats() {
    const report = await this.pc.getStats();
    const out = {video: 0, audio: 0, pair: null};
    let pairId = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') out.video = s.framesDecoded || 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audio = s.packetsReceived || 0;
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    if (pairId) {
      const pair = report.get(pairId);
      out.pair = {local: report.get(pair.localCandidateId).candidateType, remote: report.get(pair.remoteCandidateId).candidateType};
    }
    out.received = this.received.slice();
    out.state = this.pc.connectionState;
    out.signaling = this.pc.signalingState;
    out.gathered = this.gathered;
    out.log = this.log.filter((l) => l !== 'signal' && l !== 'in candidate');
    out.negotiation = this.negotiation.log.slice();
    return out;
  },
  async gatherRelay(iceServers) {
    const pc = new RTCPeerConnection({iceServers, iceTransportPolicy: 'relay'});
    pc.createDataChannel('x');
    const types = [];
    const errors = [];
    pc.onicecandidate = ({candidate}) => { if (candidate) types.push(candidate.type); };
    pc.onicecandidateerror = (e) => errors.push(e.errorCode + ' ' + e.errorText);
    await pc.setLocalDescription();
    await new Promise((ok) => {
      if (pc.iceGatheringState === 'complete') ok();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && ok();
      setTimeout(ok, 15000);
    });
    return {types, errors};
  },
};
</script></body></html>`;

async function open(browser, base) {
  const page = await (await browser.newContext()).newPage();
  const url = base + '/call-test';
  await page.route(url, (route) => route.fulfill({contentType: 'text/html', body: PAGE}));
  await page.goto(url);
  return page;
}

(async () => {
  const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: [
    '--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection', '--disable-background-networking',
    // The page is served by interception, which Chromium's local network access checks would then bar from loopback.
    '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks']});
  try {
    if (mode === 'expired') {
      const page = await open(browser, baseA);
      const r = await page.evaluate((ice) => window.call.gatherRelay(ice), JSON.parse(iceJson));
      console.log(JSON.stringify(r));
      if (r.types.includes('relay')) fail('coturn gave a relay candidate for expired credentials');
      if (r.errors.length === 0) fail('no ICE candidate error for expired credentials');
      return;
    }
    const room = 'call-' + Date.now().toString(36);
    let ice = [];
    if (mode === 'relay') {
      ice = (await (await fetch(baseA + '/v1/turn-credentials?user=test')).json()).iceServers;
    }
    const [pa, pb] = [await open(browser, baseA), await open(browser, baseB)];
    const policy = mode === 'relay' ? 'relay' : 'all';
    const ws = (b) => b.replace('http://', 'ws://') + '/v1/signal';
    await Promise.all([
      pa.evaluate(([u, r, i, p]) => window.call.join(u, r, i, p, true), [ws(baseA), room, ice, policy]),
      pb.evaluate(([u, r, i, p]) => window.call.join(u, r, i, p, true), [ws(baseB), room, ice, policy]),
    ]);
    await Promise.all([pa.evaluate(() => window.call.media()), pb.evaluate(() => window.call.media())]);
    // Each page makes its offer, then both send at once: the offers cross (glare), every run.
    await Promise.all([pa.evaluate(() => window.call.connect()), pb.evaluate(() => window.call.connect())]);
    await Promise.all([pa.evaluate(() => window.call.offer()), pb.evaluate(() => window.call.offer())]);
    let sa;
    let sb;
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      [sa, sb] = [await pa.evaluate(() => window.call.stats()), await pb.evaluate(() => window.call.stats())];
      if (sa.video > 5 && sb.video > 5 && sa.audio > 5 && sb.audio > 5 && sa.received.length && sb.received.length) break;
    }
    await pa.screenshot({path: process.env.SCREENSHOT_DIR ? process.env.SCREENSHOT_DIR + '/call-a.png' : '/dev/null'})
        .catch(() => {});
    console.log(JSON.stringify({a: sa, b: sb}));
    for (const [name, s] of [['a', sa], ['b', sb]]) {
      if (!(s.video > 0)) fail(name + ' decoded no video frames');
      if (!(s.audio > 0)) fail(name + ' received no audio');
      if (!s.received.some((m) => m.startsWith('hello from '))) fail(name + ' got no data-channel message');
      if (mode === 'relay' && !(s.pair && s.pair.local === 'relay' && s.pair.remote === 'relay')) {
        fail(name + ' is not on a relay pair: ' + JSON.stringify(s.pair));
      }
    }
    for (const [name, s] of [['a', sa], ['b', sb]]) {
      if (!s.negotiation.includes('out offer')) fail(name + ' sent no offer');
      if (!s.negotiation.includes('in offer (glare)')) fail(name + ' saw no colliding offer');
    }
    console.log('OK ' + mode + ' (offers collided)');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
