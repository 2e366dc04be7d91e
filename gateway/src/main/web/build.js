// Bundles the demo client (app.js and its npm dependencies: the sharedb client, ot-text-unicode,
// ot-json0) into one static file for the gateway's webroot. Run by the Maven build:
//   node gateway/src/main/web/build.js OUTPUT_DIR
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const out = process.argv[2] || path.join(__dirname, '../../../target/classes/webroot');
esbuild.build({
  entryPoints: [path.join(__dirname, 'app.js')],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: path.join(out, 'app.js'),
  logLevel: 'warning',
}).catch(() => process.exit(1));
