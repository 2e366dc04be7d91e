// What the panes of the demo client share: element lookup, the notice bar at the top of the
// page, and the color a user is drawn in (carets, lock labels), the same on every page.
'use strict';

const $ = (sel) => document.querySelector(sel);

// What the token does not allow, and what the server refused, said plainly at the top of the page.
function notice(text) {
  const el = $('#access');
  el.hidden = false;
  if (!el.textContent.includes(text)) el.textContent = (el.textContent ? el.textContent + ' · ' : '') + text;
}

function denied(err, what) {
  if (err && err.code === 'ERR_ACCESS_DENIED') notice('Access denied: you may not open ' + what);
  else if (err) console.error(err);
}

const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];

/** The color of user `id` (a token's sub): derived from the id, so everyone draws a user alike. */
function colorOf(id) {
  let h = 0;
  for (const ch of String(id)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

module.exports = {$, notice, denied, colorOf};
