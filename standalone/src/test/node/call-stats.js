// Call-quality reports from the web client, end to end: Ann and Bob (two Chromium contexts) join
// one document's call, their pages send {"type":"stats"} reports over /v1/signal, the server
// takes them (no error comes back) and writes them to Kafka, and `tandem history calls` reads
// the call back from there.
// Usage: node call-stats.js BASE_URL KAFKA TOPIC_PREFIX MODE [HISTORY_COMMAND...]
//   MODE direct: host candidates on 127.0.0.1 only; the call's relay share must be 0
//   MODE relay:  both pages with &relay=1 (iceTransportPolicy "relay", through the server's TURN);
//                its relay share must be 1
//   MODE sfu:    a server that moves a call of two to its SFU (TANDEM_SFU_THRESHOLD=1): each page
//                reports its publisher and subscriber as peer "sfu"; the relay share must be 0
//   HISTORY_COMMAND: how to run tandem-history (default: java -jar standalone/target/tandem.jar history)
// Checks: each page's reports name its connections (the other, or the SFU twice) and whose media
// it receives (the other's), carry the selected pair, decoded frames, the connection reaching "connected" and the
// time to first media; each page shows a quality badge on the other's tile; after both leave,
// `calls` has the call with 2 participants, frames decoded and the expected relay share, and
// `calls --room` its windows with a score. Prints OK MODE.
'use strict';
const {execFileSync} = require('child_process');
const {launch, until, fail} = require('./browser.js');

const [base, kafka, prefix, mode, ...history] = process.argv.slice(2);
const historyCommand = history.length ? history : ['java', '-jar', 'standalone/target/tandem.jar', 'history'];
const relay = mode === 'relay';
if (!['direct', 'relay', 'sfu'].includes(mode)) {
  console.error('usage: node call-stats.js BASE_URL KAFKA TOPIC_PREFIX direct|relay|sfu [HISTORY_COMMAND...]');
  process.exit(2);
}
setTimeout(() => fail('timed out'), 150000).unref();
const doc = 'stats-' + mode + '-' + Date.now().toString(36);
const room = 'call:' + doc;
const started = Date.now();

/** The history CLI's `calls` with these arguments: its jsonl lines, parsed. */
function calls(...args) {
  const [cmd, ...rest] = historyCommand;
  const out = execFileSync(cmd, [...rest, 'calls', '--kafka', kafka, '--topic-prefix', prefix, '--quiet',
    '--format', 'jsonl', ...args], {encoding: 'utf8', timeout: 60000});
  return out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

(async () => {
  const browser = await launch();
  try {
    // What each page sends and hears on its signaling socket, as the server sees it.
    const open = async (name) => {
      const page = await (await browser.newContext({viewport: {width: 1400, height: 1000}})).newPage();
      const seen = {page, name, sent: [], errors: []};
      page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
      page.on('websocket', (ws) => {
        if (!ws.url().includes('/v1/signal')) return;
        ws.on('framesent', ({payload}) => {
          const m = JSON.parse(payload);
          if (m.type === 'stats') seen.sent.push({at: Date.now(), report: m});
        });
        ws.on('framereceived', ({payload}) => {
          const m = JSON.parse(payload);
          if (m.type === 'error') seen.errors.push(m);
        });
      });
      await page.goto(base + '/?name=' + name + '&loopback=1' + (relay ? '&relay=1' : '') + '#' + doc);
      await until(name + ' online', () => page.evaluate(() => document.querySelector('#status').classList.contains('online')));
      return seen;
    };
    const ann = await open('Ann');
    const bob = await open('Bob');
    await ann.page.click('#join-call');
    await bob.page.click('#join-call');
    const other = async (p) => until(p.name + "'s peer", () => p.page.evaluate(() => [...window.tandem.call.peers.keys()][0]));
    ann.other = await other(ann);
    bob.other = await other(bob);

    // A report taken is one the server did not answer with an error; it answers at once.
    const decodedReport = (p) => {
      const r = p.sent.map((s) => s.report).find((x) => x.connections.some((c) =>
        c.pair && (c.inbound || []).some((i) => i.kind === 'video' && i.framesDecoded > 0)));
      return r && p.sent[p.sent.length - 1].at < Date.now() - 1000 && r;
    };
    const explain = setTimeout(async () => {
      for (const p of [ann, bob]) {
        console.error(p.name + ': ' + JSON.stringify(await p.page.evaluate(() => window.tandem.call.stats())));
        console.error(p.name + ' sent ' + JSON.stringify(p.sent.map((s) => s.report)));
      }
    }, 40000).unref();
    for (const p of [ann, bob]) {
      const r = await until(p.name + "'s report with decoded video", () => decodedReport(p), 45000);
      if (p.errors.length) fail(p.name + ': the server answered ' + JSON.stringify(p.errors));
      const peers = r.connections.map((x) => x.peer);
      const expected = mode === 'sfu' ? ['sfu', 'sfu'] : [p.other];
      if (r.mode !== (mode === 'sfu' ? 'sfu' : 'mesh') || peers.join() !== expected.join()) {
        fail(p.name + ': connections to ' + peers + ' in ' + r.mode + ', not to ' + expected + ': ' + JSON.stringify(r));
      }
      const inbound = r.connections.flatMap((x) => x.inbound || []);
      if (!inbound.length || !inbound.every((i) => i.from === p.other)) fail(p.name + ': inbound media not from ' + p.other);
      const c = r.connections.find((x) => x.inbound);
      if (r.connections.some((x) => x.pair && relay !== (x.pair.local === 'relay'))) {
        fail(p.name + ': selected pairs ' + JSON.stringify(r.connections.map((x) => x.pair)) + ' in a ' + mode + ' call');
      }
      if (!r.connections.some((x) => (x.outbound || []).some((o) => o.kind === 'video' && o.packetsSent > 0))) {
        fail(p.name + ': no outbound video');
      }
      const states = p.sent.flatMap((s) => s.report.connections.flatMap((x) => x.states || []));
      if (!states.some((s) => s.connection === 'connected')) fail(p.name + ': no "connected" state reported: ' + JSON.stringify(states));
      const media = p.sent.map((s) => s.report.firstMediaMs).find((m) => m !== undefined);
      if (!(media > 0 && media < 30000)) fail(p.name + ': time to first media ' + media);
      const last = await p.page.evaluate(() => window.tandem.call.lastReport());
      if (JSON.stringify(last) !== JSON.stringify(p.sent[p.sent.length - 1].report)) fail(p.name + ': lastReport() is not the last sent');
      const badge = await until(p.name + "'s badge on " + p.other + "'s tile", () => p.page.evaluate((id) => {
        const b = document.querySelector('#tile-' + CSS.escape(id) + ' .quality');
        return b && !b.hidden && {grade: b.textContent, title: b.title};
      }, p.other));
      if (!['good', 'fair', 'poor'].includes(badge.grade)) fail(p.name + ': badge ' + JSON.stringify(badge));
      console.log(p.name + ': ' + p.sent.length + ' report(s), pair ' + JSON.stringify(c.pair) + ', first media after '
          + Math.round(media) + ' ms, badge ' + JSON.stringify(badge));
    }

    clearTimeout(explain);

    // Leaving sends a last report, so the call's duration runs to its end: unless the last
    // went out less than 2 s before (the server's limit), so this waits that long.
    const lastAt = Math.max(...[ann, bob].map((p) => p.sent[p.sent.length - 1].at));
    await new Promise((r) => setTimeout(r, Math.max(0, lastAt + 2500 - Date.now())));
    const before = [ann, bob].map((p) => p.sent.length);
    for (const p of [ann, bob]) await p.page.click('#leave-call');
    await until('the last reports', () => ann.sent.length > before[0] && bob.sent.length > before[1], 10000);
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of [ann, bob]) if (p.errors.length) fail(p.name + ': the server answered ' + JSON.stringify(p.errors));

    const call = await until('the call in `calls`', () => {
      const c = calls().find((x) => x.room === room);
      return c && Object.keys(c.participants).length === 2 && c.framesDecoded > 0 && c;
    }, 40000);
    console.log('calls: ' + JSON.stringify(call));
    if (call.relayShare !== (relay ? 1 : 0)) fail('relay share ' + call.relayShare + ' in a ' + mode + ' call');
    if (call.reconnects !== 0) fail(call.reconnects + ' reconnects in a call that never dropped');
    if (!(call.score >= 1 && call.score <= 4.5)) fail('no score: ' + call.score);
    const users = Object.values(call.participants).sort();
    if (users.join() !== 'Ann,Bob') fail('participants ' + JSON.stringify(call.participants));
    const windows = calls('--room', room);
    console.log('calls --room: ' + windows.map((w) => JSON.stringify(w)).join('\n  '));
    if (!windows.length || windows.some((w) => w.room !== room || w.relayShare !== (relay ? 1 : 0))) {
      fail('windows of ' + room + ' with another relay share');
    }
    console.log('OK ' + mode + ' in ' + ((Date.now() - started) / 1000).toFixed(1) + ' s');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
