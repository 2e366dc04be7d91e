// The demo client over https and wss with a test certificate, in Chromium, and what access
// control shows in the browser.
// Usage: node secure-web-client.js HTTPS_BASE SCREENSHOT_DIR
// Checks: two people write and call each other over TLS (a secure context, so getUserMedia
// works), their ops are recorded as their tokens' users; a page from another origin (served
// here on another port) cannot open a socket; a read-only token shows read-only documents and
// no call; a token without the document says that access is denied.
'use strict';
const {launch, until, fail} = require('./browser.js');
const http = require('http');
const path = require('path');

const [base, shots] = process.argv.slice(2);
setTimeout(() => fail('timed out'), 170000).unref();
const doc = 'tls-' + Date.now().toString(36);

(async () => {
  const browser = await launch();
  const context = async () => browser.newContext({viewport: {width: 1400, height: 1000}, ignoreHTTPSErrors: true});
  try {
    const open = async (name, token) => {
      const page = await (await context()).newPage();
      page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
      if (token) await page.addInitScript((t) => { window.tandemToken = t; }, token);
      await page.goto(base + '/?name=' + name + '&loopback=1#' + doc);
      return page;
    };
    const online = async (page, name) => {
      await until(name + ' online', () => page.evaluate(() => document.querySelector('#status').classList.contains('online')));
      await until(name + "'s editor", () => page.evaluate(() => !document.querySelector('#text').disabled));
    };
    const ann = await open('Ann');
    await online(ann, 'Ann');
    const bob = await open('Bob');
    await online(bob, 'Bob');
    if (!await ann.evaluate(() => window.isSecureContext && location.protocol === 'https:')) fail('not a secure context');

    await ann.click('#text');
    await ann.keyboard.type('Over TLS. ');
    await until('the text at Bob', () => bob.evaluate(() => document.querySelector('#text').value.includes('Over TLS.')));
    const ops = await ann.evaluate((d) => fetch('/v1/docs/text/' + encodeURIComponent(d) + '/ops').then((r) => r.text()), doc);
    const users = new Set(ops.trim().split('\n').map((l) => JSON.parse(l).user));
    if (users.size !== 1 || !users.has('Ann')) fail('ops not recorded as made by Ann: ' + [...users]);

    // The call, over wss signaling.
    await ann.click('#join-call');
    await bob.click('#join-call');
    const decoded = async (page, other) => {
      const s = await page.evaluate(() => window.tandem.call.stats());
      return s[other] && s[other].video > 5 && s[other].audio > 5 && s[other];
    };
    const a = await until("Bob's video at Ann", () => decoded(ann, 'Bob'), 40000);
    const b = await until("Ann's video at Bob", () => decoded(bob, 'Ann'), 40000);
    console.log('call over TLS: Ann decodes ' + JSON.stringify(a.video) + ' frames, Bob ' + JSON.stringify(b.video));
    await ann.screenshot({path: path.join(shots, 'tls-ann.png')});

    // A page from another origin cannot open a socket (the browser sends its Origin; the server refuses).
    const wsUrl = base.replace(/^https/, 'wss');
    const foreign = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<script>
        window.result = new Promise((done) => {
          const results = {};
          let left = 2;
          for (const p of ['/v1/docs', '/v1/signal']) {
            const ws = new WebSocket(${JSON.stringify(wsUrl)} + p);
            ws.onopen = () => { results[p] = 'open'; if (--left === 0) done(results); };
            ws.onerror = () => { results[p] = 'refused'; if (--left === 0) done(results); };
          }
        });
      </script>`);
    });
    await new Promise((r) => foreign.listen(0, '127.0.0.1', r));
    const evil = await (await context()).newPage();
    await evil.goto('http://127.0.0.1:' + foreign.address().port + '/');
    const r = await evil.evaluate(() => window.result);
    foreign.close();
    if (r['/v1/docs'] !== 'refused' || r['/v1/signal'] !== 'refused') fail('a foreign page opened a socket: ' + JSON.stringify(r));
    console.log('foreign origin: ' + JSON.stringify(r));

    // Tokens with fewer grants, as a host page would hand them over.
    const mint = (user, tandem) => ann.evaluate(([u, g]) => fetch('/v1/dev/token', {method: 'POST',
      headers: {'content-type': 'application/json'}, body: JSON.stringify({user: u, tandem: g})})
      .then((x) => x.json()).then((x) => x.token), [user, tandem]);
    const readOnly = await mint('cat', {docs: {'text/*': 'read', 'board/*': 'read'}});
    const cat = await open('Cat', readOnly);
    await online(cat, 'Cat');
    await until('the text at Cat', () => cat.evaluate(() => document.querySelector('#text').value.includes('Over TLS.')));
    const shown = await cat.evaluate(() => ({ro: document.querySelector('#text').readOnly,
      notice: document.querySelector('#access').hidden ? '' : document.querySelector('#access').textContent,
      call: document.querySelector('#join-call').disabled, add: document.querySelector('#add-note').disabled}));
    if (!shown.ro || !/read-only/.test(shown.notice) || !shown.call || !shown.add) fail('read-only not shown: ' + JSON.stringify(shown));
    console.log('read-only: ' + JSON.stringify(shown));

    const none = await mint('dan', {docs: {'other/*': 'write'}});
    const dan = await open('Dan', none);
    const said = await until('the denial at Dan', () => dan.evaluate(() => {
      const el = document.querySelector('#access');
      return !el.hidden && /Access denied/.test(el.textContent) && el.textContent;
    }));
    console.log('denied: ' + said);
    await dan.screenshot({path: path.join(shots, 'tls-denied.png')});
    console.log('OK');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
