// WebRTC "perfect negotiation" for one RTCPeerConnection with one remote peer, over any signaling
// channel (`send` carries {description} and {candidate} to the peer; what comes back goes to
// receive()). The web client's call uses it for each peer, and the browser test
// (webrtc-call.js) bundles this very file into its page, so the pattern tested is the one shipped.
//
//   const n = new Negotiation(pc, {polite: myId < theirId, send: (data) => ..., keepCandidate});
//   n.receive(data);  // a signal from the peer, taken one at a time in order
//   n.offer();        // an offer now (negotiationneeded does this by itself)
//   n.close();        // timers stopped, the connection closed
//   n.log;            // the last steps, so that a call that does not connect says where it stopped
//
// The polite peer (the smaller peer id) gives way when offers collide: it rolls its own back and
// answers; the impolite one ignores the other's offer.
'use strict';

const FIRST_OFFER_WAIT_MS = 3000;
const RESTART_CHECK_MS = 6000;
const LOG_STEPS = 40;

class Negotiation {
  /**
   * @param pc the connection; its onicecandidate and onnegotiationneeded become this object's
   * @param options polite: whether this side gives way; send(data): to the peer;
   *   keepCandidate(candidate): false for a local candidate not to send (default: send all)
   */
  constructor(pc, {polite, send, keepCandidate = () => true}) {
    this.pc = pc;
    this.polite = polite;
    this.send = send;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.taking = false;
    this.queue = Promise.resolve();
    this.log = [];
    pc.onicecandidate = ({candidate}) => {
      if (candidate && !keepCandidate(candidate)) return;
      send({candidate});
    };
    pc.onnegotiationneeded = () => {
      if (this.busy()) return;
      // The first negotiation is the impolite peer's to open; the polite peer answers it. Both
      // peers learn of each other at once, and glare right then (the polite peer rolling its own
      // offer back) sometimes left Chromium's polite side gathering no candidates at all.
      // Should no offer come, the polite peer offers itself after a while.
      if (this.polite && !pc.currentRemoteDescription && !this.waited) {
        this.note('waiting for the first offer');
        this.waited = setTimeout(() => {
          if (!pc.currentRemoteDescription && pc.signalingState === 'stable') this.offer();
        }, FIRST_OFFER_WAIT_MS);
        return;
      }
      this.offer();
    };
    // A call that does not connect, or drops, restarts ICE: new candidates, renegotiated. Only the
    // impolite peer restarts (the polite one answers): two peers that joined together would
    // otherwise restart at the same moment, every time, and their offers would collide again.
    this.watchdog = setInterval(() => {
      if (!this.polite && ['new', 'failed', 'disconnected'].includes(pc.connectionState) && pc.signalingState === 'stable') {
        this.note('ice restart');
        pc.restartIce();
      }
    }, RESTART_CHECK_MS);
  }

  note(step) {
    this.log.push(step);
    if (this.log.length > LOG_STEPS) this.log.shift();
  }

  /**
   * No offer while a remote description is being taken (the polite peer's rollback makes the
   * connection stable for a moment): taking the offer would then roll this one back
   * implicitly, which can leave Chromium gathering no candidates for good. The browser asks
   * again once stable if negotiation is still needed.
   */
  busy() {
    if (!this.taking && this.pc.signalingState === 'stable') return false;
    this.note('offer deferred');
    return true;
  }

  /** Makes and sends an offer, unless the connection is in the middle of a negotiation. */
  async offer() {
    if (this.busy()) return;
    const pc = this.pc;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      this.send({description: pc.localDescription});
      this.note('out ' + pc.localDescription.type);
    } catch (e) {
      this.note('offer failed ' + e);
    } finally {
      this.makingOffer = false;
    }
  }

  /** A signal from the peer. One at a time: a candidate must not overtake the description before it. */
  receive(data) {
    this.queue = this.queue.then(() => this.take(data)).catch((e) => this.note('signal failed ' + e));
    return this.queue;
  }

  async take({description, candidate}) {
    if (description) {
      this.taking = true;
      try {
        await this.takeDescription(description);
      } finally {
        this.taking = false;
      }
    } else if (candidate) {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (e) {
        if (!this.ignoreOffer) this.note('candidate refused ' + e);
      }
    }
  }

  async takeDescription(description) {
    const pc = this.pc;
    const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    this.note('in ' + description.type + (collision ? ' (glare)' : ''));
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    // The polite peer withdraws its own offer explicitly before taking the other's.
    if (collision) await pc.setLocalDescription({type: 'rollback'});
    await pc.setRemoteDescription(description);
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this.send({description: pc.localDescription});
      this.note('out answer');
    }
  }

  close() {
    clearInterval(this.watchdog);
    clearTimeout(this.waited);
    this.pc.close();
  }
}

module.exports = Negotiation;
