// What the browser tests share: headless Chromium as they launch it (/usr/bin/chromium, fake
// camera and microphone, WebRTC on loopback with real addresses rather than mDNS names), failing
// with a FAIL line, and waiting for a condition within a bounded time.
'use strict';
const {chromium} = require('playwright-core');

function fail(m) {
  console.error('FAIL: ' + m);
  process.exit(1);
}

/** Chromium for the tests; `features` adds to the features disabled. */
function launch({features = []} = {}) {
  return chromium.launch({executablePath: '/usr/bin/chromium', args: [
    '--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection', '--disable-background-networking',
    '--disable-features=' + ['WebRtcHideLocalIpsWithMdns', ...features].join(',')]});
}

/** `check()`'s first truthy value, asked every `every` ms; fails the test after `ms`. */
async function until(what, check, ms = 15000, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) fail('no ' + what + ' within ' + ms + ' ms');
    await new Promise((r) => setTimeout(r, every));
  }
}

module.exports = {launch, until, fail};
