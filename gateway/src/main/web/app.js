// Tandem's demo client: shared notes (text-unicode, with everyone's carets), a shared whiteboard
// (json0: sticky notes and shapes) and a call (WebRTC through /v1/signal), for one document
// named in the URL (#name). This file wires the panes together; each lives in its own module.
// Bundled by the Maven build (build.js); nothing is loaded from anywhere but this server.
'use strict';
const {Token} = require('./token.js');
const {Link} = require('./connection.js');
const {notes} = require('./editor.js');
const {board} = require('./board.js');
const {call} = require('./call/call.js');
const {$, notice, colorOf} = require('./page.js');

const params = new URLSearchParams(location.search);
const me = {
  name: params.get('name') || localStorage.getItem('tandem-name') || 'guest-' + Math.random().toString(36).slice(2, 6),
};
localStorage.setItem('tandem-name', me.name);
const token = new Token(me.name.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64));

// ---------- which document ----------
function docName() {
  return decodeURIComponent(location.hash.slice(1)).trim();
}

$('#open').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('#doc-name').value.trim();
  if (name) location.hash = encodeURIComponent(name);
});
window.addEventListener('hashchange', () => location.reload());

// ---------- start ----------
function showMe() {
  me.color = colorOf(me.name);
  $('#me').textContent = me.name;
  $('#me').style.color = me.color;
}

const name = docName();
showMe();
if (!name) {
  document.body.classList.add('no-doc');
} else {
  document.title = name + ' · Tandem';
  $('#doc-name').value = name;
  token.fetch().then(() => {
    // Who the server says this is: the name everyone else sees, and the color they draw it in.
    me.name = token.sub;
    showMe();
    const link = new Link(token);
    $('#offline').addEventListener('click', () => link.setOffline(!link.offline));
    const text = notes(link, name, me, token);
    const whiteboard = board(link, name, me, token);
    const theCall = call(name, me, token,
        {loopbackOnly: params.get('loopback') === '1', relayOnly: params.get('relay') === '1',
          simulcast: params.has('simulcast') ? params.get('simulcast') === '1' : undefined,
          layer: params.has('layer') ? Number(params.get('layer')) : undefined,
          camera: /^\d{2,4}x\d{2,4}$/.test(params.get('camera') || '') ? params.get('camera') : undefined});
    if (!token.mayJoin('call:' + name)) {
      $('#join-call').disabled = true;
      $('#join-call').title = 'your access does not include this call';
    }
    window.tandem = {link, text, whiteboard, call: theCall, me, token};
  }, (e) => {
    notice('Access denied: ' + e.message);
    $('#status').textContent = 'no access';
  });
}
