// Two headless Chromium pages call each other through Tandem's signaling, each page on a
// different signaling instance, and check from getStats() that audio and video flowed both ways
// and a data-channel message arrived.
// Usage: node webrtc-call.js HTTP_BASE_A HTTP_BASE_B MODE [ICE_SERVERS_JSON]
//   MODE direct:  host candidates on 127.0.0.1 only (others dropped in the page)
//   MODE relay:   iceTransportPolicy "relay" with the credentials from /v1/turn-credentials;
//                 the selected candidate pair must be relay on both sides
//   MODE expired: one page, relay only, with the (expired) iceServers given: no relay candidate
// Both pages start negotiating at the same moment, so their offers collide (glare); they use the
// "perfect negotiation" pattern (polite peer: the smaller peer id) and still connect.
// Prints one JSON line with what each page saw; exits 0 when every check passes.
'use strict';
const {chromium} = require('playwright-core');

const [baseA, baseB, mode, iceJson] = process.argv.slice(2);
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
setTimeout(() => fail('timed out'), 90000).unref();

const PAGE = `<!doctype html><html><body><script>
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
      // One at a time: a candidate must not overtake the description before it.
      this.queue = (this.queue || Promise.resolve()).then(() => this.onRemote(m.data)).catch((e) => this.log.push('error ' + e));
      this.log.push('in ' + (m.data.description ? m.data.description.type : 'candidate'));
    } else if (m.type === 'error') {
      this.log.push('signaling error ' + m.code);
    }
  },
  send(data) {
    this.ws.send(JSON.stringify({type: 'signal', room: this.room, to: this.other, data}));
  },
  async media() {
    this.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  },
  async connect() {
    this.polite = this.me < this.other;
    this.makingOffer = false; this.ignoreOffer = false; this.offers = 0;
    const pc = this.pc = new RTCPeerConnection({iceServers: this.iceServers, iceTransportPolicy: this.policy});
    this.gathered = [];
    pc.onicecandidate = ({candidate}) => {
      if (candidate) this.gathered.push(candidate.type + ' ' + candidate.address);
      if (candidate && this.loopbackOnly && candidate.address !== '127.0.0.1') return;
      // Candidates of the held offer wait for it: none may reach the other page before it.
      if (this.held) this.held.push({candidate}); else this.send({candidate});
    };
    pc.onicecandidateerror = (e) => this.log.push('ice error ' + e.errorCode + ' ' + e.errorText + ' ' + e.url);
    // Renegotiation (an ICE restart) goes through negotiationneeded; the first offer is made
    // explicitly by offer() below, so that both pages hold an offer before either sends it.
    const negotiate = async () => {
      // Never while taking a remote description: the offer would be rolled back implicitly.
      if (this.taking || pc.signalingState !== 'stable') {
        this.log.push('offer deferred');
        return;
      }
      try {
        this.makingOffer = true;
        this.offers++;
        await pc.setLocalDescription();
        this.send({description: pc.localDescription});
        this.log.push('out ' + pc.localDescription.type);
      } catch (e) {
        this.log.push('offer failed ' + e);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onicegatheringstatechange = () => this.log.push('gathering ' + pc.iceGatheringState);
    // A call that has not connected after a while restarts ICE (new candidates, renegotiated).
    // Only the impolite peer restarts, so two restarts never collide (the README's pattern).
    this.watchdog = setInterval(() => {
      if (!this.polite && ['new', 'failed', 'disconnected'].includes(pc.connectionState) && pc.signalingState === 'stable') {
        this.log.push('ice restart');
        pc.restartIce();
      }
    }, 6000);
    // Tracks and channel added together: one negotiationneeded, one offer from each side.
    this.chat = pc.createDataChannel('chat', {negotiated: true, id: 0});
    this.chat.onmessage = (e) => this.received.push(e.data);
    this.chat.onopen = () => this.chat.send('hello from ' + this.me);
    this.stream.getTracks().forEach((t) => pc.addTrack(t, this.stream));
    // Glare on purpose: the offer is made now and held; send() releases it. With both pages
    // holding one, each receives the other's offer while in have-local-offer.
    this.offers = 1;
    this.held = [];
    await pc.setLocalDescription();
    this.log.push('offer ready');
    pc.onnegotiationneeded = negotiate;
  },
  offer() {
    if (this.pc.signalingState === 'have-local-offer') {
      this.send({description: this.pc.localDescription});
      this.log.push('out offer');
    }
    const held = this.held;
    this.held = null;
    held.forEach((c) => this.send(c));
  },
  async onRemote({description, candidate}) {
    if (description) {
      this.taking = true;
      try {
        await this.takeDescription(description);
      } finally {
        this.taking = false;
      }
    } else if (candidate) {
      try { await this.pc.addIceCandidate(candidate); } catch (e) { if (!this.ignoreOffer) throw e; }
    }
  },
  async takeDescription(description) {
    const pc = this.pc;
    const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    if (collision) this.log.push('glare');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    if (collision) {
      // The polite peer withdraws its own offer explicitly before taking the other's.
      await pc.setLocalDescription({type: 'rollback'});
    }
    await pc.setRemoteDescription(description);
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this.send({description: pc.localDescription});
      this.log.push('out answer');
    }
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
    out.offers = this.offers;
    out.signaling = this.pc.signalingState;
    out.gathered = this.gathered;
    out.log = this.log.filter((l) => l !== 'signal' && l !== 'in candidate');
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
      if (!s.log.includes('out offer')) fail(name + ' sent no offer');
      if (!s.log.includes('glare')) fail(name + ' saw no colliding offer');
    }
    console.log('OK ' + mode + ' (offers collided)');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
