// A plain ShareDB server (npm sharedb 7) for side-by-side load tests: the same wire protocol
// Tandem speaks, on ws://127.0.0.1:PORT/v1/docs, with the `ws` server's defaults (it does not
// negotiate permessage-deflate unless asked to, so it does not here).
// Usage: node sharedb-server.js PORT [--pg] [--exit-with-parent]
//   --pg                store documents in PostgreSQL through npm sharedb-postgres, at the
//                       connection string in the environment variable PG (pg.Pool defaults:
//                       10 connections); its tables are emptied at start, so every run begins
//                       fresh (create them with bench/node/pg-setup.sh); without it, in memory
//   --exit-with-parent  exit when stdin closes (the benchmark that started it is gone)
'use strict';
const http = require('http');
const WebSocket = require('ws');
const ShareDB = require('sharedb');
const WebSocketJSONStream = require('@teamwork/websocket-json-stream');
ShareDB.types.register(require('ot-text-unicode').type);

const port = Number(process.argv[2] || 8090);
const flags = process.argv.slice(3);

async function database() {
  if (!flags.includes('--pg')) return { db: undefined, name: 'memory' };
  if (!process.env.PG) throw new Error('--pg needs the environment variable PG (a connection string)');
  const PostgresDB = require('sharedb-postgres');
  const db = new PostgresDB({ connectionString: process.env.PG });
  try {
    await db._pool.query('TRUNCATE ops, snapshots');
  } catch (e) {
    throw new Error('cannot empty the tables ops and snapshots (' + e.message + '); run bench/node/pg-setup.sh');
  }
  return { db, name: 'postgresql' };
}

database().then(({ db, name }) => {
  const backend = new ShareDB(db ? { db } : {});
  const server = http.createServer((req, res) => { res.writeHead(200); res.end('sharedb'); });
  const wss = new WebSocket.Server({ server, path: '/v1/docs' });
  wss.on('connection', (ws) => backend.listen(new WebSocketJSONStream(ws)));
  server.listen(port, '127.0.0.1', () => console.log('sharedb (' + name + ') listening on ' + port));
}).catch((e) => {
  console.error(e.message);
  process.exit(1);
});

if (flags.includes('--exit-with-parent')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
