// A call through the SFU: one connection that publishes this page's camera and microphone once,
// whatever the number of people, and one that receives every other participant's feed. Both
// are negotiated with the server over signaling (publish / published, subscribe / subscription /
// answer, candidate); the SFU itself (Janus) is never reached but through the media path.
//
//   const sfu = new Sfu(signaling, {iceServers, stream, keepCandidate, onTrack, onGone, substream});
//   sfu.publish();          // after {"type":"sfu"} or a joined with mode "sfu"
//   sfu.feeds(list);        // the room's published feeds (peer ids): subscribes to the others'
//   sfu.connections();      // its two connections, for the call's stats reports
//   sfu.close();
'use strict';

class Sfu {
  /**
   * @param signaling the room's Signaling (send(), and its events: published, subscription)
   * @param options iceServers; stream (the local media); keepCandidate(c): false for a candidate not
   *   to send; onTrack(peerId, mediaStream); onGone(peerId); substream (0, 1, 2: the simulcast
   *   layer to receive; undefined: the SFU's choice); simulcast (offer three layers);
   *   iceTransportPolicy ("relay": through TURN only); onConnection(pc): each connection as it is made
   */
  constructor(signaling, {iceServers, iceTransportPolicy = 'all', stream, keepCandidate = () => true, onTrack, onGone,
    substream, simulcast, onConnection = () => {}}) {
    this.signaling = signaling;
    this.iceServers = iceServers;
    this.iceTransportPolicy = iceTransportPolicy;
    this.onConnection = onConnection;
    this.stream = stream;
    this.keepCandidate = keepCandidate;
    this.onTrack = onTrack;
    this.onGone = onGone;
    this.substream = substream;
    this.simulcast = simulcast;
    this.publisher = null;
    this.subscriber = null;
    this.mids = new Map(); // mid -> the feed (peer id) it carries
    this.streams = new Map(); // peer id -> MediaStream of its tracks
    this.wanted = [];
    this.myId = null;
    this.queue = Promise.resolve();
    this.handlers = {
      published: (m) => this.publisher && this.publisher.setRemoteDescription(m.answer).catch(() => {}),
      // One offer at a time: a second must not reach the connection while the first is taken.
      subscription: (m) => { this.queue = this.queue.then(() => this.takeSubscription(m)).catch(() => {}); },
    };
    for (const [e, f] of Object.entries(this.handlers)) signaling.on(e, f);
  }

  connection(role) {
    const pc = new RTCPeerConnection({iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy});
    this.onConnection(pc);
    pc.onicecandidate = ({candidate}) => {
      if (candidate && !this.keepCandidate(candidate)) return;
      this.send({type: 'candidate', pc: role, candidate: candidate ? candidate.toJSON() : null});
    };
    return pc;
  }

  send(m) {
    this.signaling.send(Object.assign({room: this.signaling.room}, m));
  }

  /** Publishes the local media once, to the SFU. */
  async publish() {
    if (this.publisher) this.publisher.close();
    const pc = this.publisher = this.connection('publisher');
    for (const track of this.stream.getTracks()) {
      const init = {streams: [this.stream], direction: 'sendonly'};
      if (track.kind === 'video' && this.simulcast) {
        init.sendEncodings = [{rid: 'h', maxBitrate: 600000}, {rid: 'm', maxBitrate: 250000, scaleResolutionDownBy: 2},
          {rid: 'l', maxBitrate: 100000, scaleResolutionDownBy: 4}];
      }
      pc.addTransceiver(track, init);
    }
    await pc.setLocalDescription(await pc.createOffer());
    this.send({type: 'publish', offer: {type: 'offer', sdp: pc.localDescription.sdp}});
  }

  /** The room's feeds: subscribes to every one but this page's own. */
  feeds(list, myId) {
    this.myId = myId;
    const others = list.filter((f) => f !== myId);
    for (const gone of this.wanted.filter((f) => !others.includes(f))) {
      this.streams.delete(gone);
      if (this.onGone) this.onGone(gone);
    }
    const changed = others.length !== this.wanted.length || others.some((f) => !this.wanted.includes(f));
    this.wanted = others;
    if (!changed) return;
    const m = {type: 'subscribe', feeds: others};
    // The layer that fits: what was asked for; else, when this page simulcasts (so the room's
    // browsers likely do), the middle layer once tiles get small (more than four others).
    const layer = this.substream !== undefined ? this.substream : this.simulcast && others.length > 4 ? 1 : undefined;
    if (layer !== undefined) m.substream = layer;
    this.send(m);
  }

  async takeSubscription(m) {
    if (!this.subscriber) {
      this.subscriber = this.connection('subscriber');
      this.subscriber.ontrack = (e) => {
        const feed = this.mids.get(e.transceiver.mid);
        if (!feed) return;
        let s = this.streams.get(feed);
        if (!s) this.streams.set(feed, s = new MediaStream());
        s.addTrack(e.track);
        this.onTrack(feed, s);
      };
    }
    for (const s of m.streams || []) this.mids.set(s.mid, s.feed);
    const pc = this.subscriber;
    await pc.setRemoteDescription(m.offer);
    await pc.setLocalDescription(await pc.createAnswer());
    this.send({type: 'answer', answer: {type: 'answer', sdp: pc.localDescription.sdp}});
  }

  /**
   * Frames decoded and the width received per feed; this page's outbound video sources, and the
   * layers it is sending (simulcast encodings that sent anything).
   */
  async counts() {
    const decoded = {};
    const width = {};
    if (this.subscriber) {
      (await this.subscriber.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && this.mids.has(r.mid)) {
          decoded[this.mids.get(r.mid)] = r.framesDecoded || 0;
          width[this.mids.get(r.mid)] = r.frameWidth || 0;
        }
      });
    }
    // One video source sent once (its simulcast layers are one stream): count the sources.
    const sources = new Set();
    let layers = 0;
    const sent = [];
    if (this.publisher) {
      (await this.publisher.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          sources.add(r.mediaSourceId || r.ssrc);
          if (r.bytesSent > 0) layers++;
          sent.push((r.rid || '-') + ':' + (r.frameWidth || 0) + ':' + (r.qualityLimitationReason || '') + ':' + (r.active === false ? 'off' : 'on'));
        }
      });
    }
    return {decoded, width, outbound: sources.size, layers, sent: sent.sort().join(' ')};
  }

  /**
   * The publisher and the subscriber as the stats reports name them: peer "sfu", and for what the
   * subscriber receives, the participant whose feed its stream (its mid) carries.
   */
  connections() {
    const out = [];
    if (this.publisher) out.push({peer: 'sfu', pc: this.publisher, from: () => undefined});
    if (this.subscriber) out.push({peer: 'sfu', pc: this.subscriber, from: (inbound) => this.mids.get(inbound.mid)});
    return out;
  }

  close() {
    for (const [e, f] of Object.entries(this.handlers)) this.signaling.removeListener(e, f);
    if (this.publisher) this.publisher.close();
    if (this.subscriber) this.subscriber.close();
    this.publisher = this.subscriber = null;
    this.mids.clear();
    this.streams.clear();
    this.wanted = [];
  }
}

module.exports = Sfu;
