// Six headless Chromium pages of the web client join one call: the first four in a mesh, the
// fifth moves the room to the SFU (Janus, driven by media-signaling), and every page then decodes
// video from every other while sending its own once. With KILL_FILE set, the script then writes
// "KILL-JANUS" and waits for that file: the Java side kills the Janus in use, a second takes
// the room, and every page must decode from every other again within 10 s.
// With LAYERS (one simulcast layer per page, "0,2,..."; the pages offer three from a 640x480
// camera, of which Chrome sends two at that size: 640 and 320 wide), each page must send its
// layers and receive every other's at the width of the layer it asked for: the lowest sent (320)
// for layer 0, the full 640 for layer 2 (Janus's substream 2 the highest).
// Usage: node sfu-call.js HTTP_BASE   env: PAGES (6), KILL_FILE, LAYERS, QUERY (added to the
//   pages' URLs, such as &simulcast=1)
'use strict';
const fs = require('fs');
const {launch, until, fail} = require('./browser.js');

const base = process.argv[2];
const PAGES = Number(process.env.PAGES || 6);
const LAYERS = process.env.LAYERS ? process.env.LAYERS.split(',').map(Number) : null;
const room = 'sfu-' + Date.now().toString(36);
setTimeout(() => fail('timed out'), Number(process.env.TIMEOUT_MS || 170000)).unref();

/** Waits for `test`, asked every 250 ms, for at most `ms`. */
const within = (what, ms, test) => until(what, test, ms, 250);

(async () => {
  const browser = await launch();
  const pages = [];
  const names = [];
  try {
    for (let i = 0; i < PAGES; i++) {
      const name = 'P' + (i + 1);
      const page = await (await browser.newContext({viewport: {width: 900, height: 700}})).newPage();
      page.on('pageerror', (e) => console.error(name + ' page error: ' + e.message));
      const layer = LAYERS ? '&simulcast=1&camera=640x480&layer=' + LAYERS[i % LAYERS.length] : '';
      await page.goto(base + '/?name=' + name + '&loopback=1' + layer + (process.env.QUERY || '') + '#' + room);
      await within(name + ' online', 20000, () => page.evaluate(() => document.querySelector('#status').classList.contains('online')));
      pages.push(page);
      names.push(name);
    }
    const stats = (page) => page.evaluate(() => window.tandem.call.stats());
    const mode = (page) => page.evaluate(() => window.tandem.call.mode());
    /** Every one of the first `count` pages decodes video from every other (more than 10 frames each). */
    const allDecoding = async (count) => {
      const now = [];
      for (let i = 0; i < count; i++) {
        const s = await stats(pages[i]);
        const others = names.slice(0, count).filter((n) => n !== names[i]);
        if (!others.every((n) => s[n] && s[n].video > 10)) return null;
        now.push(s);
      }
      return now;
    };

    for (let i = 0; i < 4; i++) await pages[i].click('#join-call');
    await within('a 4-person mesh', 40000, () => allDecoding(4));
    for (let i = 0; i < 4; i++) {
      if ((await mode(pages[i])) !== 'mesh') fail(names[i] + ' is not in a mesh with 4 people');
    }
    console.log('mesh: 4 pages decode each other');

    const t = Date.now();
    await pages[4].click('#join-call');
    await within('everyone in the SFU', 20000, async () => {
      for (let i = 0; i < 5; i++) if ((await mode(pages[i])) !== 'sfu') return false;
      return true;
    });
    for (let i = 5; i < PAGES; i++) await pages[i].click('#join-call');
    const sfu = await within('all pages decoding through the SFU', 60000, () => allDecoding(PAGES));
    console.log(`sfu: the fifth moved the room; ${PAGES} pages decode each other ${Date.now() - t} ms after it joined`);
    for (let i = 0; i < PAGES; i++) {
      const first = Object.values(sfu[i])[0];
      if (first.outbound !== 1) fail(names[i] + ' sends ' + first.outbound + ' video streams in the SFU phase, not 1');
    }
    console.log('sfu: each page sends its video once');
    // The call panel works in the SFU as in the mesh: chat and reactions reach everyone (as room
    // broadcasts now, no longer over data channels).
    await pages[0].fill('#chat-text', 'hello through the sfu');
    await pages[0].press('#chat-text', 'Enter');
    await pages[0].click('.react');
    await within('the chat line and the reaction on every other page', 3500, async () => {
      for (let i = 1; i < PAGES; i++) {
        const seen = await pages[i].evaluate(() => ({
          chat: Array.from(document.querySelectorAll('#chat-log li')).some((li) => li.textContent === 'P1: hello through the sfu'),
          reaction: Array.from(document.querySelectorAll('#reactions .reaction')).some((r) => r.textContent.endsWith(' P1')),
        }));
        if (!seen.chat || !seen.reaction) return false;
      }
      return true;
    });
    console.log('sfu: chat and reactions reach every page');
    if (LAYERS) {
      // The layer asked for: what each page receives settles at that layer's width once the
      // encoder has ramped up (a layer starts small and grows with the bandwidth estimate).
      let polls = 0;
      const widths = await within('every page receiving the layer it asked for', 30000, async () => {
        const out = [];
        const seen = [];
        for (let i = 0; i < PAGES; i++) {
          const s = await stats(pages[i]);
          const want = LAYERS[i % LAYERS.length] === 0 ? (w) => w > 0 && w <= 320 : (w) => w >= 640;
          const got = names.filter((n) => n !== names[i]).map((n) => (s[n] ? s[n].width : 0));
          seen.push(names[i] + ' sends ' + Object.values(s)[0].layers + ' layers (' + Object.values(s)[0].sent + '), receives ' + got.join(' '));
          if (!got.every(want) || Object.values(s)[0].layers < 2) {
            if (polls++ % 8 === 0) console.log('layers so far: ' + seen.join('; '));
            return null;
          }
          out.push(names[i] + ' (layer ' + LAYERS[i % LAYERS.length] + '): ' + got.join(' '));
        }
        return out;
      });
      console.log('sfu: every page sends its layers and receives the one it asked for: ' + widths.join('; '));
    }

    if (process.env.KILL_FILE) {
      const before = [];
      for (let i = 0; i < PAGES; i++) before.push(Object.values(await stats(pages[i]))[0].generation);
      console.log('KILL-JANUS');
      await within('the Java side to kill Janus', 30000, () => fs.existsSync(process.env.KILL_FILE));
      const killed = Date.now();
      // After the move every page publishes and subscribes anew (a new generation of its SFU
      // connections): frames count from zero on those.
      await within('every page decoding again on the second Janus', 10000, async () => {
        for (let i = 0; i < PAGES; i++) {
          const s = await stats(pages[i]);
          const others = names.filter((n) => n !== names[i]);
          if (!others.every((n) => s[n] && s[n].generation > before[i] && s[n].video > 10)) return false;
        }
        return true;
      });
      console.log(`failover: every page decodes again ${Date.now() - killed} ms after Janus was killed`);
    }
    console.log('OK');
  } finally {
    await browser.close();
  }
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
