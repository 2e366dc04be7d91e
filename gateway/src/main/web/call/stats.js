// Call-quality reports: while this page is in a call, a getStats() summary of each of its
// connections goes to the server as {"type":"stats"} (schemas/signaling/stats.json), which
// stamps it and writes it to tandem.telemetry for `tandem history calls`. One report 3 s after
// joining, so that the time to first media is on record even for a short call, then one every
// 10 s, and a last one on leaving.
//
//   const stats = new CallStats(signaling, {connections, mode, onReport});
//   stats.watch(pc);     // as each connection is made: its ICE and connection states from the start
//   stats.start();       // on joining
//   stats.restarted();   // the SFU was replaced and the page published again
//   await stats.stop();  // on leaving: the last report, then nothing more
//   stats.last();        // the last report sent
//
// A report carries counters cumulative since each stream began, as getStats gives them; the
// reader subtracts one report from the next. Absent values are left out, never sent as null, and
// every number is clamped to the schema's limits: the server refuses a whole report for one
// field out of range.
'use strict';

const FIRST_REPORT_MS = 3000;
const REPORT_MS = 10000;
// The server refuses a second report within 2 s (RATE_LIMITED): a leave right after a report
// sends no last one.
const MIN_INTERVAL_MS = 2000;
// Time to first media is measured by polling until it comes, this often (its resolution).
const FIRST_MEDIA_POLL_MS = 200;

const SAFE = Number.MAX_SAFE_INTEGER;
const LARGE = 1e12;
const count = {min: 0, max: SAFE, integer: true};
const seconds = {min: 0, max: LARGE};
const pixels = {min: 0, max: 16384, integer: true};
const fps = {min: 0, max: 1000};
const bitsPerSecond = {min: 0, max: LARGE};
const INBOUND = {
  packetsReceived: count, packetsLost: {min: -SAFE, max: SAFE, integer: true}, jitter: seconds,
  bytesReceived: count, framesDecoded: count, framesDropped: count, freezeCount: count,
  totalFreezesDuration: seconds, frameWidth: pixels, frameHeight: pixels, framesPerSecond: fps,
};
const OUTBOUND = {
  packetsSent: count, bytesSent: count, retransmittedPacketsSent: count, frameWidth: pixels, frameHeight: pixels,
  framesPerSecond: fps,
};
const CANDIDATE_TYPES = ['host', 'srflx', 'prflx', 'relay'];
const LIMITATIONS = ['none', 'cpu', 'bandwidth', 'other'];
const MAX_CONNECTIONS = 64;
const MAX_INBOUND = 64;
const MAX_OUTBOUND = 16;
const MAX_STATES = 64;
const MAX_ID = 64;
const MAX_RID = 16;

function number(value, {min, max, integer}) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(max, Math.max(min, integer ? Math.round(value) : value));
}

/** The fields of `spec` that `stat` has, clamped. */
function fields(stat, spec) {
  const out = {};
  for (const [name, limits] of Object.entries(spec)) {
    const v = number(stat[name], limits);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The selected candidate pair: the transport's, or else the nominated pair that succeeded. */
function selectedPair(report) {
  let pair = null;
  report.forEach((s) => {
    if (!pair && s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
  });
  report.forEach((s) => {
    if (!pair && s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
  });
  if (!pair) return undefined;
  const local = report.get(pair.localCandidateId);
  const remote = report.get(pair.remoteCandidateId);
  if (!local || !remote || !CANDIDATE_TYPES.includes(local.candidateType)
      || !CANDIDATE_TYPES.includes(remote.candidateType)) {
    return undefined;
  }
  const out = {local: local.candidateType, remote: remote.candidateType};
  if (local.protocol === 'udp' || local.protocol === 'tcp') out.protocol = local.protocol;
  const rtt = number(pair.currentRoundTripTime, seconds);
  if (rtt !== undefined) out.rtt = rtt;
  const bitrate = number(pair.availableOutgoingBitrate, bitsPerSecond);
  if (bitrate !== undefined) out.availableOutgoingBitrate = bitrate;
  return out;
}

/**
 * One connection's entry of a report.
 * @param peer the remote peer id, or "sfu"
 * @param report the connection's getStats()
 * @param from(inbound) whose media an inbound stream carries (undefined: unknown)
 * @param states its state changes since the last report
 */
function describe(peer, report, from, states) {
  const c = {peer: peer.slice(0, MAX_ID)};
  const pair = selectedPair(report);
  if (pair) c.pair = pair;
  const inbound = [];
  const outbound = [];
  report.forEach((s) => {
    if (s.kind !== 'audio' && s.kind !== 'video') return;
    if (s.type === 'inbound-rtp' && inbound.length < MAX_INBOUND) {
      const entry = Object.assign({kind: s.kind}, fields(s, INBOUND));
      // A stream that has not counted its packets yet has nothing to say (both are required).
      if (entry.packetsReceived === undefined || entry.packetsLost === undefined) return;
      const who = from(s);
      if (who) entry.from = who.slice(0, MAX_ID);
      inbound.push(entry);
    } else if (s.type === 'outbound-rtp' && outbound.length < MAX_OUTBOUND) {
      const entry = Object.assign({kind: s.kind}, fields(s, OUTBOUND));
      if (entry.packetsSent === undefined || entry.bytesSent === undefined) return;
      if (LIMITATIONS.includes(s.qualityLimitationReason)) entry.qualityLimitationReason = s.qualityLimitationReason;
      if (typeof s.rid === 'string') entry.rid = s.rid.slice(0, MAX_RID);
      outbound.push(entry);
    }
  });
  if (inbound.length) c.inbound = inbound;
  if (outbound.length) c.outbound = outbound;
  if (states.length) c.states = states.slice(-MAX_STATES);
  return c;
}

/** Whether a connection's stats show media decoded: a video frame or audio samples. */
function hasMedia(report) {
  let media = false;
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && (s.framesDecoded > 0 || s.totalSamplesReceived > 0)) media = true;
  });
  return media;
}

class CallStats {
  /**
   * @param signaling the room's Signaling
   * @param options connections(): the call's connections now, [{peer, pc, from(inbound)}];
   *   mode(): "mesh" or "sfu"; onReport(report): after each report sent
   */
  constructor(signaling, {connections, mode, onReport = () => {}}) {
    this.signaling = signaling;
    this.connections = connections;
    this.mode = mode;
    this.onReport = onReport;
    this.tracked = new WeakMap(); // pc -> {states since the last report, whether it has connected, is broken}
    this.session = 0; // a report gathered for an earlier session (before a leave) is not sent
    this.running = false;
    this.timer = null;
    this.report = null;
  }

  /**
   * Records the connection's state changes, and counts a reconnect when it connects again after
   * failing or dropping (the negotiation's ICE restart, or ICE finding its way back by itself).
   */
  watch(pc) {
    const t = {states: [], connected: false, broken: false};
    this.tracked.set(pc, t);
    const note = (state) => {
      t.states.push(Object.assign(state, {at: Date.now()}));
      if (t.states.length > MAX_STATES) t.states.shift();
    };
    pc.addEventListener('iceconnectionstatechange', () => note({ice: pc.iceConnectionState}));
    pc.addEventListener('connectionstatechange', () => {
      note({connection: pc.connectionState});
      if (pc.connectionState === 'connected') {
        if (t.broken) this.reconnects++;
        t.connected = true;
        t.broken = false;
      } else if (t.connected && (pc.connectionState === 'failed' || pc.connectionState === 'disconnected')) {
        t.broken = true;
      }
    });
  }

  /** The SFU was lost and the page's media goes through a new one: a reconnect. */
  restarted() {
    this.reconnects++;
  }

  start() {
    this.stopTimers();
    const session = ++this.session;
    this.running = true;
    this.joinedAt = performance.now();
    this.firstMediaMs = undefined;
    this.reconnects = 0;
    this.sentAt = -Infinity;
    this.report = null;
    const tick = async () => {
      await this.send(session);
      if (session === this.session) this.timer = setTimeout(tick, REPORT_MS);
    };
    this.timer = setTimeout(tick, FIRST_REPORT_MS);
    const poll = async () => {
      for (const {pc} of this.connections()) {
        if (hasMedia(await pc.getStats().catch(() => new Map()))) {
          if (session === this.session) this.firstMediaMs = performance.now() - this.joinedAt;
          return;
        }
      }
      if (session === this.session) this.poller = setTimeout(poll, FIRST_MEDIA_POLL_MS);
    };
    this.poller = setTimeout(poll, FIRST_MEDIA_POLL_MS);
  }

  /** Sends a last report (unless one went out just now) and no more. */
  async stop() {
    if (!this.running) return;
    this.running = false;
    this.stopTimers();
    // A new session: what the timers had in flight is not sent.
    const session = ++this.session;
    if (performance.now() - this.sentAt >= MIN_INTERVAL_MS) await this.send(session);
  }

  stopTimers() {
    clearTimeout(this.timer);
    clearTimeout(this.poller);
  }

  last() {
    return this.report;
  }

  async gather() {
    const connections = [];
    for (const {peer, pc, from} of this.connections().slice(0, MAX_CONNECTIONS)) {
      let report;
      try {
        report = await pc.getStats();
      } catch (e) {
        continue; // closed while the report was being gathered: it is gone from the call
      }
      connections.push(describe(peer, report, from, this.tracked.get(pc).states.splice(0)));
    }
    const r = {type: 'stats', room: this.signaling.room, mode: this.mode(), reconnects: this.reconnects, connections};
    if (this.firstMediaMs !== undefined) r.firstMediaMs = Math.min(LARGE, Math.max(0, this.firstMediaMs));
    return r;
  }

  async send(session) {
    const r = await this.gather();
    if (session !== this.session || !this.signaling.send(r)) return;
    this.sentAt = performance.now();
    this.report = r;
    this.onReport(r);
  }
}

module.exports = {CallStats};
