// How each participant's media reaches this page, graded good, fair or poor for their tile, from
// each stats report (stats.js): the loss of their inbound streams since the previous report,
// their jitter and the round-trip time of the connection carrying them. The score is the one
// `tandem history calls` gives a window (Calls.score in the history module: the ITU-T G.107
// E-model as WebRTC monitoring simplifies it), so the badge says what the analysts will see.
//
//   const quality = new Quality();
//   quality.grades(report);  // Map peer id -> {grade, loss, jitterMs, rttMs}
'use strict';

// G.107's categories of the R factor: 80 and above "high" (a mean opinion score of 4.0), 70 to 80
// "medium" (3.6), below that "low" and worse.
const GOOD = 4.0;
const FAIR = 3.6;

/** A mean opinion score (1 to 4.5) from loss (0..1), jitter and round-trip time (ms); as Calls.score. */
function score(loss, jitterMs, rttMs) {
  const latency = (Number.isNaN(rttMs) ? 0 : rttMs / 2) + 2 * (Number.isNaN(jitterMs) ? 0 : jitterMs) + 10;
  let r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10;
  r -= 2.5 * 100 * loss;
  if (r <= 0) return 1;
  r = Math.min(100, r);
  return Math.min(4.5, 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r));
}

class Quality {
  constructor() {
    this.seen = new Map(); // connection|participant|kind -> the counters of the previous report
  }

  grades(report) {
    const sums = new Map(); // participant -> {received, lost, jitter, jitters, rtt}
    const seen = new Map(); // only the streams of this report: those of people gone are forgotten
    for (const c of report.connections) {
      for (const s of c.inbound || []) {
        if (s.packetsReceived === 0) continue; // nothing has come yet: nothing to grade
        const who = s.from || c.peer;
        const key = c.peer + '|' + who + '|' + s.kind;
        let before = this.seen.get(key);
        // Counters that went down belong to a new stream (a reconnect): count from zero.
        if (!before || s.packetsReceived < before.received) before = {received: 0, lost: 0};
        seen.set(key, {received: s.packetsReceived, lost: Math.max(0, s.packetsLost)});
        let sum = sums.get(who);
        if (!sum) sums.set(who, sum = {received: 0, lost: 0, jitter: 0, jitters: 0, rtt: c.pair && c.pair.rtt});
        sum.received += s.packetsReceived - before.received;
        sum.lost += Math.max(0, Math.max(0, s.packetsLost) - before.lost);
        if (s.jitter !== undefined) {
          sum.jitter += s.jitter;
          sum.jitters++;
        }
      }
    }
    this.seen = seen;
    const out = new Map();
    for (const [who, sum] of sums) {
      const expected = sum.received + sum.lost;
      const loss = expected === 0 ? NaN : sum.lost / expected;
      const jitterMs = sum.jitters ? 1000 * sum.jitter / sum.jitters : NaN;
      const rttMs = sum.rtt === undefined ? NaN : 1000 * sum.rtt;
      // Nothing received since the last report: their media has stopped reaching this page.
      const s = sum.received === 0 ? 1 : score(loss, jitterMs, rttMs);
      out.set(who, {grade: s >= GOOD ? 'good' : s >= FAIR ? 'fair' : 'poor', loss, jitterMs, rttMs});
    }
    return out;
  }
}

module.exports = {Quality, score};
