// Reference oracle for the differential tests: answers JSON-line requests with the npm OT
// types ShareDB clients run (ot-text-unicode, and ot-json0 with text-unicode registered as a
// subtype, as ShareDB apps do).
//
// Request:  {"id": n, "type": "text-unicode"|"json0", "fn": NAME, "args": [...]}
// Response: {"id": n, "ok": RESULT} or {"id": n, "err": MESSAGE}
'use strict';
const readline = require('readline');
const textUnicode = require('ot-text-unicode').type;
const json0 = require('ot-json0').type;

json0.registerSubtype(textUnicode);

const types = { 'text-unicode': textUnicode, json0 };

function call(req) {
  const type = types[req.type];
  if (!type) throw Error('unknown type ' + req.type);
  const a = req.args;
  switch (req.fn) {
    case 'apply': return type.apply(a[0], a[1]);
    case 'transform': return type.transform(a[0], a[1], a[2]);
    case 'compose': return type.compose(a[0], a[1]);
    case 'normalize': return type.normalize(a[0]);
    case 'invert': return type.invert(a[0]);
    case 'transformPosition': return type.transformPosition(a[0], a[1]);
    case 'create': return type.create(a[0]);
    default: throw Error('unknown fn ' + req.fn);
  }
}

const out = [];
function flush() {
  if (out.length) {
    process.stdout.write(out.join(''));
    out.length = 0;
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line) return;
  const req = JSON.parse(line);
  let res;
  try {
    const result = call(req);
    // JSON.stringify drops undefined; report it as an error so it is never mistaken for null.
    res = result === undefined ? { id: req.id, err: 'result is undefined' } : { id: req.id, ok: result };
  } catch (e) {
    res = { id: req.id, err: String(e && e.message || e) };
  }
  out.push(JSON.stringify(res) + '\n');
  if (out.length >= 256) flush();
});
rl.on('close', flush);
// Answer promptly when the caller waits for a partial batch.
setInterval(flush, 5).unref();
