// ot-text-unicode with presence, for sharedb clients: the npm type has no transformPresence,
// without which sharedb refuses document presence. A presence value is a selection
// {index, length, ...} in code points, moved through ops exactly as Tandem's server moves it
// (dev.tandem.ot.text.TextOps.transformPosition): another client's insert at the caret leaves the
// caret before the new text, the caret owner's own insert pushes it past.
'use strict';
const base = require('ot-text-unicode').type;

function position(cursor, op, own) {
  let pos = 0;
  for (let i = 0; i < op.length && (cursor > pos || (own && cursor === pos)); i++) {
    const c = op[i];
    if (typeof c === 'number') {
      pos += c;
    } else if (typeof c === 'string') {
      const n = [...c].length;
      pos += n;
      cursor += n;
    } else {
      const n = typeof c.d === 'number' ? c.d : [...c.d].length;
      cursor -= Math.min(n, cursor - pos);
    }
  }
  return cursor;
}

function transformPresence(presence, op, isOwnOp) {
  if (presence === null || typeof presence !== 'object' || typeof presence.index !== 'number') return presence;
  const length = typeof presence.length === 'number' ? presence.length : 0;
  const start = position(presence.index, op, isOwnOp);
  const end = position(presence.index + length, op, isOwnOp);
  return Object.assign({}, presence, {index: start, length: end - start});
}

module.exports = Object.assign({}, base, {transformPresence: transformPresence});
