// Replays an editing trace with npm ot-text-unicode (the type ShareDB clients run) and prints
// the time per replay: the side-by-side figure for Tandem's Java replay.
// Usage: node replay-trace.js TRACE.json.gz [runs]
'use strict';
const fs = require('fs');
const zlib = require('zlib');
const { type } = require('ot-text-unicode');

const file = process.argv[2];
const runs = Number(process.argv[3] || 5);
const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
const ops = [];
for (const txn of trace.txns) {
  for (const [pos, del, ins] of txn.patches) {
    const op = [];
    if (pos > 0) op.push(pos);
    if (del > 0) op.push({ d: del });
    if (ins.length > 0) op.push(ins);
    ops.push(op);
  }
}

const times = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  let doc = type.create(trace.startContent || '');
  for (const op of ops) doc = type.apply(doc, op);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (doc !== trace.endContent) throw Error('replay does not reach endContent');
  times.push(ms);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ops: ops.length, runs, bestMs: times[0], medianMs: times[Math.floor(runs / 2)] }));
