// One WebSocket to the gateway, reopened after every loss with capped exponential backoff and
// jitter, so a restarting server is not hit by every open tab at the same instant.
//
// Events: 'state' (detail: { state, retryInMs }), 'frame' (detail: a parsed server frame),
// 'lost' (detail: { code, reason }) when an open socket goes away.
// States: 'connecting' (first attempt), 'live' (the server's ready frame arrived),
// 'reconnecting' (waiting for, or making, another attempt).

export const SUBPROTOCOL = 'letta-sockets.v1';

const DEFAULTS = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  // Browsers can take minutes to notice a dead network; an application ping finds out sooner.
  heartbeatMs: 25_000,
};

export class Connection extends EventTarget {
  #urlFactory;
  #options;
  #socket = null;
  #state = 'idle';
  #attempt = 0;
  #everLive = false;
  #retryTimer = 0;
  #heartbeatTimer = 0;
  #awaitingPong = null;
  #pingCount = 0;

  /** @param {() => string} urlFactory called before every attempt (the agent may have changed). */
  constructor(urlFactory, options = {}) {
    super();
    this.#urlFactory = urlFactory;
    this.#options = { ...DEFAULTS, ...options };
    this.ready = null;
  }

  get state() { return this.#state; }

  get isLive() { return this.#state === 'live'; }

  start() {
    window.addEventListener('online', () => this.reconnectNow());
    this.#open();
  }

  /** Skips the remaining backoff wait (the user asked, or the browser is back online). */
  reconnectNow() {
    if (this.#state !== 'reconnecting' || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  /** Sends one frame; false when there is no live socket (nothing is queued). */
  send(frame) {
    if (!this.#socket || this.#state !== 'live' || this.#socket.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #open() {
    this.#setState(this.#everLive || this.#attempt > 0 ? 'reconnecting' : 'connecting');
    let socket;
    try {
      socket = new WebSocket(this.#urlFactory(), [SUBPROTOCOL]);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(socket, event));
    socket.addEventListener('close', (event) => this.#lose(socket, event.code, event.reason));
    // 'error' is always followed by 'close', which does the work.
  }

  #receive(socket, event) {
    if (socket !== this.#socket || typeof event.data !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    if (frame.type === 'ready') {
      this.ready = frame;
      this.#attempt = 0;
      this.#everLive = true;
      this.#setState('live');
      this.#startHeartbeat();
    } else if (frame.type === 'pong' && frame.id === this.#awaitingPong) {
      this.#awaitingPong = null;
      return;
    }
    this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
  }

  #lose(socket, code, reason) {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#stopHeartbeat();
    this.dispatchEvent(new CustomEvent('lost', { detail: { code, reason } }));
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    // "Equal jitter": half the exponential delay is fixed, the other half random.
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** this.#attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#setState('reconnecting', delay);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #startHeartbeat() {
    this.#stopHeartbeat();
    this.#heartbeatTimer = setInterval(() => {
      const socket = this.#socket;
      if (!socket) return;
      if (this.#awaitingPong) {
        // The previous ping went unanswered for a whole interval: treat the socket as dead.
        this.#awaitingPong = null;
        this.#lose(socket, 4000, 'heartbeat timeout');
        socket.close();
        return;
      }
      this.#awaitingPong = `hb-${++this.#pingCount}`;
      this.send({ type: 'ping', id: this.#awaitingPong });
    }, this.#options.heartbeatMs);
  }

  #stopHeartbeat() {
    clearInterval(this.#heartbeatTimer);
    this.#awaitingPong = null;
  }

  #setState(state, retryInMs = null) {
    this.#state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, retryInMs } }));
  }
}
