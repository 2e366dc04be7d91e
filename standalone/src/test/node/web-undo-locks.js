// The demo client's edit locks and undo in a real browser: two Chromium contexts, Ann and Bob,
// open a new document at the same moment (both create it; no page error may come of that).
// Usage: node web-undo-locks.js BASE_URL SCREENSHOT_DIR
// Checks, on the whiteboard: while Ann holds a note mid-drag, Bob sees it locked with her name
// in her color, and his drag of it changes nothing (not even for a moment at his end) and says
// "Locked by Ann"; once Ann lets go, Bob moves it, and his Ctrl+Z puts it back where Ann left
// it. In the notes: Ann types, Bob types after her, Ann's Ctrl+Z takes out her text only (her
// caret where it was) and Shift+Ctrl+Z brings it back, with the Undo/Redo buttons following.
// Saves screenshots.
'use strict';
const {launch, until, fail} = require('./browser.js');
const path = require('path');

const [base, shots] = process.argv.slice(2);
setTimeout(() => fail('timed out'), 150000).unref();
const doc = 'locks-' + Date.now().toString(36);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const browser = await launch();
  const errors = [];
  try {
    const page = async (name) => {
      const p = await (await browser.newContext({viewport: {width: 1400, height: 1000}})).newPage();
      p.on('pageerror', (e) => errors.push(name + ' page error: ' + e.message));
      p.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(name + ' console error: ' + m.text()); });
      return p;
    };
    const [ann, bob] = [await page('Ann'), await page('Bob')];
    // Both open the new document at once: both create it, the server takes one create.
    await Promise.all([ann, bob].map((p, i) => p.goto(base + '/?name=' + ['Ann', 'Bob'][i] + '#' + doc)));
    for (const [name, p] of [['Ann', ann], ['Bob', bob]]) {
      await until(name + ' online', () => p.evaluate(() => document.querySelector('#status').classList.contains('online')));
      await until(name + "'s editor", () => p.evaluate(() => !document.querySelector('#text').disabled));
      await until(name + "'s board", () => p.evaluate(() => !!window.tandem.whiteboard.doc.type));
    }

    // ---------- locks on the whiteboard ----------
    await ann.click('#add-note');
    const id = await until('the note at Bob', () => bob.evaluate(() => {
      const g = document.querySelector('#board g.shape');
      return g && g.dataset.id;
    }));
    const sel = `#board g.shape[data-id="${id}"]`;
    const at = (p) => p.evaluate((s) => {
      const g = document.querySelector(s);
      return {x: +g.dataset.x, y: +g.dataset.y, lockedBy: g.dataset.lockedBy || null,
        stroke: getComputedStyle(g.querySelector('.body')).stroke};
    }, sel);
    const box = await ann.locator(sel + ' .body').boundingBox();
    await ann.mouse.move(box.x + 30, box.y + 40);
    await ann.mouse.down();
    for (let i = 1; i <= 5; i++) {
      await ann.mouse.move(box.x + 30 + i * 20, box.y + 40 + i * 10);
      await sleep(30);
    }
    // Ann holds the note mid-drag.
    const held = await until('the note moved and locked at Bob', async () => {
      const s = await at(bob);
      return s.lockedBy === 'Ann' && s.x >= 30 + 100 && s;
    });
    const annColor = await ann.evaluate(() => getComputedStyle(document.querySelector('#me')).color);
    if (held.stroke !== annColor) fail("the lock is not drawn in Ann's color: " + held.stroke + ' vs ' + annColor);
    const tag = await bob.evaluate((s) => document.querySelector(s + ' .lock-tag').textContent, sel);
    if (tag !== 'Ann') fail('the lock tag says ' + JSON.stringify(tag));
    await bob.screenshot({path: path.join(shots, 'bob-sees-lock.png')});
    console.log('Bob sees the note locked by Ann at ' + JSON.stringify(held));

    // Bob tries to drag it away: nothing moves, at his end or at Ann's, and he is told why.
    const bobBox = await bob.locator(sel + ' .body').boundingBox();
    await bob.mouse.move(bobBox.x + 20, bobBox.y + 20);
    await bob.mouse.down();
    const seen = [];
    for (let i = 1; i <= 8; i++) {
      await bob.mouse.move(bobBox.x + 20 + i * 25, bobBox.y + 20 + i * 25);
      await sleep(40);
      seen.push(await at(bob));
    }
    await bob.mouse.up();
    await sleep(500);
    seen.push(await at(bob), await at(ann));
    if (seen.some((s) => s.x !== held.x || s.y !== held.y)) fail("Bob's drag moved Ann's locked note: " + JSON.stringify(seen));
    const said = await bob.evaluate(() => document.querySelector('#board-status').textContent);
    if (said !== 'Locked by Ann') fail('Bob was told ' + JSON.stringify(said));
    const disabled = await bob.evaluate(() => ['#shape-text', '#delete-shape', '.palette button']
        .map((s) => document.querySelector(s).disabled));
    if (disabled.includes(false)) fail("Bob may edit Ann's locked note from the toolbar: " + disabled);
    await bob.screenshot({path: path.join(shots, 'bob-refused.png')});
    console.log('Bob\'s drag of the locked note changed nothing; he sees "' + said + '"');

    // Ann lets go: the lock goes, and Bob can move the note.
    await ann.mouse.move(box.x + 30 + 120, box.y + 40 + 60);
    await ann.mouse.up();
    const annLeft = await until('the lock gone at Bob', async () => {
      const s = await at(bob);
      return !s.lockedBy && s;
    });
    const bobDown = await bob.locator(sel + ' .body').boundingBox();
    await bob.mouse.move(bobDown.x + 20, bobDown.y + 20);
    await bob.mouse.down();
    for (let i = 1; i <= 8; i++) {
      await bob.mouse.move(bobDown.x + 20 + i * 25, bobDown.y + 20 + i * 10);
      await sleep(30);
    }
    await until('Ann sees the note locked by Bob', async () => (await at(ann)).lockedBy === 'Bob');
    await bob.mouse.up();
    const moved = await until("Bob's move at Ann", async () => {
      const s = await at(ann);
      return !s.lockedBy && s.x === annLeft.x + 200 && s.y === annLeft.y + 80 && s;
    });
    console.log('after Ann let go (at ' + JSON.stringify(annLeft) + '), Bob moved the note to ' + JSON.stringify(moved));
    const boardOps = (await (await fetch(base + '/v1/docs/board/' + encodeURIComponent(doc) + '/ops')).text())
        .trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.kind === 'op');
    const byBob = boardOps.filter((o) => o.user === 'Bob');
    const first = boardOps.indexOf(byBob[0]);
    if (!byBob.length || boardOps.slice(first).some((o) => o.user === 'Ann')) {
      fail('Bob committed a change before Ann let go: ' + JSON.stringify(boardOps.map((o) => o.user)));
    }

    // Bob's Ctrl+Z on the board: his move is undone, Ann's stays.
    await bob.keyboard.press('Control+z');
    await until("Bob's move undone at Ann", async () => {
      const s = await at(ann);
      return s.x === annLeft.x && s.y === annLeft.y;
    });
    console.log("Bob's Ctrl+Z put the note back where Ann left it");

    // ---------- undo in the notes ----------
    const text = (p) => p.evaluate(() => document.querySelector('#text').value);
    const buttons = (p) => p.evaluate(() => ({undo: !document.querySelector('#text-undo').disabled,
      redo: !document.querySelector('#text-redo').disabled}));
    if ((await buttons(ann)).undo) fail('Undo is enabled before Ann typed');
    await ann.click('#text');
    await ann.keyboard.type('Ann writes this. ');
    await until('the text at Bob', async () => await text(bob) === 'Ann writes this. ');
    await bob.click('#text');
    await bob.keyboard.press('End');
    await bob.keyboard.type('Bob adds that.');
    await until("Bob's text at Ann", async () => await text(ann) === 'Ann writes this. Bob adds that.');
    if (!(await buttons(ann)).undo) fail("Undo is not enabled after Ann's typing");
    await ann.keyboard.press('Control+z');
    await until("Ann's text undone at Bob", async () => await text(bob) === 'Bob adds that.');
    if (await text(ann) !== 'Bob adds that.') fail('Ann has ' + JSON.stringify(await text(ann)));
    const caret = await ann.evaluate(() => document.querySelector('#text').selectionStart);
    if (caret !== 0) fail("Ann's caret is at " + caret + ', not where her text was');
    const afterUndo = await buttons(ann);
    if (!afterUndo.redo) fail('Redo is not enabled after the undo');
    await ann.screenshot({path: path.join(shots, 'ann-undone.png')});
    console.log("Ann's Ctrl+Z took out her text only: " + JSON.stringify(await text(bob)));
    await ann.keyboard.press('Shift+Control+z');
    await until("Ann's text back at Bob", async () => await text(bob) === 'Ann writes this. Bob adds that.');
    if (await text(ann) !== 'Ann writes this. Bob adds that.') fail('Ann has ' + JSON.stringify(await text(ann)));
    if ((await buttons(ann)).redo) fail('Redo is still enabled after the redo');
    await bob.screenshot({path: path.join(shots, 'bob-redone.png')});
    console.log("Ann's Shift+Ctrl+Z brought it back: " + JSON.stringify(await text(bob)));

    await sleep(300);
    if (errors.length) fail('errors in the pages:\n' + errors.join('\n'));
    console.log('screenshots in ' + shots);
    console.log('OK');
  } finally {
    await browser.close();
  }
})().catch((e) => fail(e.stack || e));
