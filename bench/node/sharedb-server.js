// A plain ShareDB server (npm sharedb, in-memory backend) for side-by-side load tests:
// the same wire protocol Tandem speaks, on ws://127.0.0.1:PORT/v1/docs.
// Usage: node sharedb-server.js PORT
'use strict';
const http = require('http');
const WebSocket = require('ws');
const ShareDB = require('sharedb');
const WebSocketJSONStream = require('@teamwork/websocket-json-stream');
ShareDB.types.register(require('ot-text-unicode').type);

const port = Number(process.argv[2] || 8090);
const backend = new ShareDB();
const server = http.createServer((req, res) => { res.writeHead(200); res.end('sharedb'); });
const wss = new WebSocket.Server({ server, path: '/v1/docs' });
wss.on('connection', (ws) => backend.listen(new WebSocketJSONStream(ws)));
server.listen(port, '127.0.0.1', () => console.log('sharedb listening on ' + port));
