// The demo client in a real browser: two Chromium contexts are two people on one document.
// Usage: node web-client.js BASE_URL SCREENSHOT_DIR
// Checks: text typed by one appears for the other, with the typist's caret shown; a note dragged
// by one moves for the other; notes added by each while one of them works offline both exist
// after it reconnects; both join the call and decode each other's video. Saves screenshots.
'use strict';
const {launch, until, fail} = require('./browser.js');
const path = require('path');

const [base, shots] = process.argv.slice(2);
setTimeout(() => fail('timed out'), 150000).unref();
const doc = 'demo-' + Date.now().toString(36);

(async () => {
  const browser = await launch();
  try {
    const open = async (name) => {
      const page = await (await browser.newContext({viewport: {width: 1400, height: 1000}})).newPage();
      page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
      await page.goto(base + '/?name=' + name + '&loopback=1#' + doc);
      await until(name + ' online', () => page.evaluate(() => document.querySelector('#status').classList.contains('online')));
      await until(name + "'s editor", () => page.evaluate(() => !document.querySelector('#text').disabled));
      return page;
    };
    const ann = await open('Ann');
    const bob = await open('Bob');

    // Text and carets.
    await ann.click('#text');
    await ann.keyboard.type('Hello from Ann. ');
    await until('the text at Bob', () => bob.evaluate(() => document.querySelector('#text').value.includes('Hello from Ann.')));
    await bob.click('#text');
    await bob.keyboard.press('End');
    await bob.keyboard.type('Bob here 😀');
    await until('both texts at Ann', () => ann.evaluate(() => document.querySelector('#text').value === 'Hello from Ann. Bob here 😀'));
    // The log records who typed what.
    const ops = await (await fetch(base + '/v1/docs/text/' + encodeURIComponent(doc) + '/ops')).text();
    const users = new Set(ops.trim().split('\n').map((l) => JSON.parse(l).user));
    if (!users.has('Ann') || !users.has('Bob')) fail('ops not recorded as made by Ann and Bob: ' + [...users]);
    await ann.keyboard.press('Home');
    await ann.keyboard.type('» ');
    await until("Ann's caret at Bob", () => bob.evaluate(() => {
      const caret = document.querySelector('#carets .caret[data-name="Ann"]');
      return caret && document.querySelector('#text').value.startsWith('» Hello');
    }));
    await until("Bob's caret at Ann", () => ann.evaluate(() => !!document.querySelector('#carets .caret[data-name="Bob"]')));

    // A note, dragged by Ann, moves at Bob.
    await ann.click('#add-note');
    const id = await until('the note at Bob', () => bob.evaluate(() => {
      const g = document.querySelector('#board g.shape');
      return g && g.dataset.id;
    }));
    const sel = `#board g.shape[data-id="${id}"]`;
    const before = await bob.evaluate((s) => ({x: +document.querySelector(s).dataset.x, y: +document.querySelector(s).dataset.y}), sel);
    const box = await ann.locator(sel + ' .body').boundingBox();
    await ann.mouse.move(box.x + 30, box.y + 40);
    await ann.mouse.down();
    for (let i = 1; i <= 10; i++) {
      await ann.mouse.move(box.x + 30 + i * 20, box.y + 40 + i * 10);
      await new Promise((r) => setTimeout(r, 30));
    }
    await ann.mouse.up();
    const moved = await until('the drag at Bob', () => bob.evaluate(([s, b]) => {
      const g = document.querySelector(s);
      return g && +g.dataset.x >= b.x + 150 && +g.dataset.y >= b.y + 75 && {x: +g.dataset.x, y: +g.dataset.y};
    }, [sel, before]));
    console.log('note moved from ' + JSON.stringify(before) + ' to ' + JSON.stringify(moved));
    await ann.fill('#shape-text', 'Plan for Monday');
    await until('the note text at Bob', () => bob.evaluate(() =>
      [...document.querySelectorAll('#board text')].some((t) => t.textContent === 'Plan for Monday')));

    // Offline: Ann adds a shape and types while disconnected, Bob adds one; after Ann is back, both have everything.
    await ann.click('#offline');
    await until('Ann offline', () => ann.evaluate(() => document.querySelector('#status').classList.contains('offline')));
    await ann.click('#add-shape');
    await ann.click('#text');
    await ann.keyboard.press('End');
    await ann.keyboard.type(' (written offline)');
    await until('pending edits shown', () => ann.evaluate(() => /pending/.test(document.querySelector('#status').textContent)));
    await bob.click('#add-note');
    await new Promise((r) => setTimeout(r, 500));
    const count = (page) => page.evaluate(() => document.querySelectorAll('#board g.shape').length);
    if (await count(bob) !== 2) fail('Bob should not see Ann\'s offline shape yet: ' + await count(bob));
    await ann.click('#offline');
    await until('Ann online again', () => ann.evaluate(() => document.querySelector('#status').textContent === 'online'));
    await until('three shapes at Ann', async () => await count(ann) === 3);
    await until('three shapes at Bob', async () => await count(bob) === 3);
    await until('the offline text at Bob', () => bob.evaluate(() => document.querySelector('#text').value.endsWith('(written offline)')));
    const texts = await Promise.all([ann, bob].map((p) => p.evaluate(() => document.querySelector('#text').value)));
    if (texts[0] !== texts[1]) fail('texts differ: ' + JSON.stringify(texts));

    // The call.
    await ann.click('#join-call');
    await bob.click('#join-call');
    const decoded = async (page, other) => {
      const s = await page.evaluate(() => window.tandem.call.stats());
      return s[other] && s[other].video > 5 && s[other].audio > 5 && s[other];
    };
    setTimeout(async () => {
      console.error('call at Ann: ' + JSON.stringify(await ann.evaluate(() => window.tandem.call.stats())));
      console.error('call at Bob: ' + JSON.stringify(await bob.evaluate(() => window.tandem.call.stats())));
      console.error('chat log at Ann: ' + await ann.evaluate(() => document.querySelector('#chat-log').textContent));
    }, 20000).unref();
    const a = await until("Bob's video at Ann", () => decoded(ann, 'Bob'), 30000);
    const b = await until("Ann's video at Bob", () => decoded(bob, 'Ann'), 30000);
    await bob.fill('#chat-text', 'hi Ann');
    await bob.press('#chat-text', 'Enter');
    await until('the chat at Ann', () => ann.evaluate(() => document.querySelector('#chat-log').textContent.includes('Bob: hi Ann')));
    await ann.click('.react');
    await until('the reaction at Bob', () => bob.evaluate(() => document.querySelector('#reactions').textContent.includes('Ann')));

    await new Promise((r) => setTimeout(r, 500));
    await ann.screenshot({path: path.join(shots, 'ann.png')});
    await bob.screenshot({path: path.join(shots, 'bob.png')});
    console.log('call: Ann decodes ' + JSON.stringify(a) + ', Bob decodes ' + JSON.stringify(b));
    console.log('OK');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
