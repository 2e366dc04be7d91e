// Calls of 2, 4, 6 and 8 headless Chromium pages of the web client (fake camera at 320x240),
// against a server whose calls are all mesh or all SFU: per call size, the time from joining to
// the first frame from every other participant (per page, median and worst), then over 10 s the
// upstream bitrate per page (bytes sent by all of its peer connections) and the CPU per page
// (all Chromium processes' CPU over the window, divided by the pages), and Janus's CPU.
// Usage: node bench/node/call-bench.js HTTP_BASE MODE SIZES [JANUS_PID]   (MODE mesh|sfu; SIZES 2,4,6,8)
// Prints one line per size, and a JSON line with every figure.
'use strict';
const fs = require('fs');
const {launch} = require('../../standalone/src/test/node/browser.js');

const [base, mode, sizesArg, janusPid] = process.argv.slice(2);
const sizes = (sizesArg || '2,4,6,8').split(',').map(Number);
const WINDOW_MS = Number(process.env.WINDOW_MS || 10000);
const TICK = 100; // clock ticks per second on Linux (sysconf CLK_TCK)
setTimeout(() => { console.error('FAIL: timed out'); process.exit(1); }, 900000).unref();

/** CPU seconds used so far by `pid` and all its descendants. */
function cpuOfTree(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + d + '/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push({pid: Number(d), cpu: (Number(fields[11]) + Number(fields[12])) / TICK});
    } catch (e) { /* gone */ }
  }
  let total = 0;
  const own = (p) => {
    try {
      const stat = fs.readFileSync('/proc/' + p + '/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / TICK;
    } catch (e) { return 0; }
  };
  const walk = (p) => { total += own(p); for (const c of children.get(p) || []) walk(c.pid); };
  walk(Number(pid));
  return total;
}

// Every RTCPeerConnection the page makes, for the measurements (the app keeps its own).
const RECORD_PCS = () => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) { const pc = new Original(...args); window.__pcs.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Original.prototype;
  window.__bytesSent = async () => {
    let sent = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => { if (r.type === 'outbound-rtp') sent += r.bytesSent || 0; });
    }
    return sent;
  };
};

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function size(browser, n) {
  const room = 'bench-' + mode + '-' + n + '-' + Date.now().toString(36);
  const pages = [];
  for (let i = 0; i < n; i++) {
    const page = await (await browser.newContext({viewport: {width: 800, height: 600}})).newPage();
    await page.addInitScript(RECORD_PCS);
    await page.goto(base + '/?name=B' + (i + 1) + '&loopback=1#' + room);
    await page.waitForFunction(() => document.querySelector('#status').classList.contains('online'), null, {timeout: 20000});
    pages.push(page);
  }
  const joined = [];
  for (const page of pages) {
    joined.push(Date.now());
    await page.click('#join-call');
  }
  // Time to first frame: from a page's join to frames from every other participant.
  const ttff = new Array(n).fill(null);
  const deadline = Date.now() + 60000;
  while (ttff.includes(null) && Date.now() < deadline) {
    for (let i = 0; i < n; i++) {
      if (ttff[i] !== null) continue;
      const s = await pages[i].evaluate(() => window.tandem.call.stats());
      const vals = Object.values(s);
      if (vals.length === n - 1 && vals.every((v) => v.video > 0)) ttff[i] = Date.now() - joined[i];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A call that does not fully connect within the minute is a figure too (a mesh of 8 on two
  // cores does not): how many of the n x (n - 1) streams were decoding by then.
  let decoding = 0;
  for (const page of pages) {
    decoding += Object.values(await page.evaluate(() => window.tandem.call.stats())).filter((v) => v.video > 0).length;
  }
  await new Promise((r) => setTimeout(r, 3000)); // settle: bandwidth estimation ramps up
  // The browser is this script's child: its processes are our descendants (our own CPU aside).
  const browserCpu = () => cpuOfTree(process.pid) - process.cpuUsage().user / 1e6 - process.cpuUsage().system / 1e6;
  const sent0 = await Promise.all(pages.map((p) => p.evaluate(() => window.__bytesSent())));
  const cpu0 = browserCpu();
  const janus0 = janusPid ? cpuOfTree(janusPid) : 0;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const sent1 = await Promise.all(pages.map((p) => p.evaluate(() => window.__bytesSent())));
  const secs = (Date.now() - t0) / 1000;
  const cpu = (browserCpu() - cpu0) / secs;
  const janus = janusPid ? (cpuOfTree(janusPid) - janus0) / secs : null;
  const kbps = sent1.map((s, i) => ((s - sent0[i]) * 8) / secs / 1000);
  for (const page of pages) await page.context().close();
  const seen = ttff.filter((t) => t !== null);
  return {mode, participants: n, streamsDecoding: decoding, streamsExpected: n * (n - 1),
    ttffMedianMs: seen.length === n ? median(seen) : null, ttffMaxMs: seen.length === n ? Math.max(...seen) : null,
    upstreamKbpsPerPage: Math.round(kbps.reduce((a, b) => a + b, 0) / n), cpuPerPage: +(cpu / n).toFixed(3),
    janusCpu: janus === null ? null : +janus.toFixed(3)};
}

(async () => {
  const browser = await launch();
  const rows = [];
  try {
    for (const n of sizes) {
      const r = await size(browser, n);
      rows.push(r);
      const frames = r.ttffMedianMs === null
        ? `not connected within 60 s (${r.streamsDecoding} of ${r.streamsExpected} streams decoding)`
        : `first frames p50 ${r.ttffMedianMs} ms (worst ${r.ttffMaxMs} ms)`;
      console.log(`${mode} ${n} participants: ${frames}, `
        + `upstream ${r.upstreamKbpsPerPage} kbit/s per page, CPU ${r.cpuPerPage} cores per page`
        + (r.janusCpu === null ? '' : `, Janus ${r.janusCpu} cores`));
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(rows));
  process.exit(0);
})().catch((e) => { console.error('FAIL: ' + (e.stack || e)); process.exit(1); });
