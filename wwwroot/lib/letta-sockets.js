// LettaSockets client: one WebSocket to the gateway (docs/PROTOCOL.md), many turns on it.
// An ES module with no dependencies and no build step, for browsers and Node ≥ 20 (global WebSocket;
// Node 20 needs --experimental-websocket, or pass any WHATWG-compatible constructor as `WebSocket`).
// The API is described in docs/CLIENTS.md; types are in letta-sockets.d.ts.

export const PROTOCOL = 'letta-sockets.v1';

/** Frames that carry a turn's content: after a resume, the ones at or below the cursor were delivered already. */
const CONTENT = new Set(['chunk', 'reasoning', 'tool_call', 'tool_result', 'approval_request']);
/** The frames that end a request (docs/PROTOCOL.md: done or error; a history request's history, a follow's following). */
const TERMINAL = new Set(['done', 'error', 'history', 'following']);

const DEFAULTS = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  // Browsers can take minutes to notice a dead network; an application ping finds out sooner.
  heartbeatMs: 25_000,
  pingTimeoutMs: 10_000,
};

/** An event with a payload (CustomEvent is not global in every runtime this module supports). */
export class LettaSocketsEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

/** A terminal error frame as an exception, for the callers that prefer try/catch (`turn.text()`, `connect`). */
export class LettaSocketsError extends Error {
  constructor(frame) {
    super(frame?.message || frame?.code || 'LettaSockets error');
    this.name = 'LettaSocketsError';
    this.code = frame?.code ?? 'unknown';
    this.retryable = frame?.retryable === true;
    this.retryAfterMs = Number.isFinite(frame?.retry_after_ms) ? frame.retry_after_ms : null;
    this.frame = frame ?? null;
  }
}

/**
 * The WebSocket URL of a gateway: `base` may be the gateway's http(s) or ws(s) address (the path
 * `/ws` or `/ws/{agentId}` is added) or already a `/ws…` URL; `key` goes in `access_token`, the one
 * way a browser can present it (docs/PROTOCOL.md, "Connecting").
 */
export function socketUrl(base, { agentId, key } = {}) {
  const url = new URL(String(base), globalThis.location?.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (!/\/ws(\/[^/]+)?\/?$/.test(url.pathname)) {
    url.pathname = url.pathname.replace(/\/?$/, '/') + (agentId ? `ws/${encodeURIComponent(agentId)}` : 'ws');
  }
  if (key) url.searchParams.set('access_token', key);
  url.hash = '';
  return url.href;
}

/**
 * One request the gateway answers with frames of its id, ended by exactly one `done` or `error`
 * (docs/PROTOCOL.md, rule 1). Async iterable (each frame once, the terminal frame last), an
 * EventTarget ('frame', 'state') and `result`, a promise of the terminal frame.
 *
 * States: pending → streaming → ended; a resumable turn whose socket drops goes interrupted →
 * resuming → streaming … and is the same turn, its frames neither lost nor repeated.
 */
export class Turn extends EventTarget {
  #client;
  #signal = null;
  #onAbort = null;
  #queue = [];
  #head = 0;
  #wake = null;
  #iterable;
  #iterating = false;
  #resolve;
  #seenStatus = new Set();

  constructor(client, request, { signal, iterable = true } = {}) {
    super();
    this.#client = client;
    this.#iterable = iterable;
    /** The frame as sent (the first one: a resume of this turn sends `resume`). */
    this.request = request;
    this.id = request.id;
    this.agentId = request.agent_id ?? client.ready?.agent_id ?? null;
    this.conversationId = request.conversation_id ?? null;
    this.runId = request.run_id ?? null;
    /** The highest `seq` received: with `runId`, the cursor a resume continues from. */
    this.lastSeq = Number.isInteger(request.after_seq) ? request.after_seq : null;
    /** The `after_seq` of the last resume sent; content at or below it is not delivered twice. */
    this.resumedAfter = this.lastSeq;
    /** Whether the run survives a dropped socket: asked for, or the server said so (seq, a shutdown cursor). */
    this.resumable = request.resumable === true || request.type === 'resume';
    /** Whether the server answered anything for this id (it has the request). */
    this.accepted = request.type === 'resume';
    this.cancelRequested = false;
    this.state = 'pending';
    /** The terminal frame once the turn has ended. */
    this.terminal = null;
    this.result = new Promise((resolve) => { this.#resolve = resolve; });
    if (signal) {
      this.#signal = signal;
      this.#onAbort = () => this.cancel();
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get active() { return this.state !== 'ended'; }

  /**
   * Whether a `resume` can bring the turn back after a lost socket: its run outlives the socket and
   * the client can name it — by run id, or, once the server has the request, by the turn's own id
   * (the server finds the run that turn's message started: docs/PROTOCOL.md, "Resuming").
   */
  get canResume() { return this.resumable && (this.runId !== null || this.accepted); }

  /** Where a resume would continue: `{ id, run_id, after_seq, agent_id, conversation_id }`. */
  get cursor() {
    return { id: this.id, run_id: this.runId, after_seq: this.lastSeq ?? 0, agent_id: this.agentId, conversation_id: this.conversationId };
  }

  /** Sends `cancel` for this turn (at once, or as soon as an interrupted turn is re-attached). False when it has ended. */
  cancel() {
    if (!this.active) return false;
    if (this.cancelRequested) return true;
    this.cancelRequested = true;
    if (this.state !== 'interrupted') this.#client._sendCancel(this.id);
    return true;
  }

  /** Answers an `approval_request` of this turn: a new turn on this turn's agent. */
  approve(toolCallId, approve, reason, options = {}) {
    return this.#client.approve(toolCallId, approve, { reason, agentId: this.agentId, ...options });
  }

  /** The concatenated `chunk` text; throws a LettaSocketsError when the turn ends with `error`. */
  async text() {
    let text = '';
    for await (const frame of this) {
      if (frame.type === 'chunk') text += frame.content ?? '';
      else if (frame.type === 'error') throw new LettaSocketsError(frame);
    }
    return text;
  }

  [Symbol.asyncIterator]() {
    if (!this.#iterable) throw new Error('This turn was sent with iterable: false; listen to its frame events.');
    if (this.#iterating) throw new Error('A turn can be iterated once.');
    this.#iterating = true;
    return {
      next: () => {
        if (this.#head < this.#queue.length) return Promise.resolve({ value: this.#take(), done: false });
        if (!this.active) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#wake = () => resolve(this.#head < this.#queue.length ? { value: this.#take(), done: false } : { value: undefined, done: true });
        });
      },
      // Leaving a for-await loop early means the caller no longer wants the answer.
      return: () => {
        this.cancel();
        this.#queue = [];
        this.#head = 0;
        this.#iterable = false;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  #take() {
    const frame = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }

  // ——— called by the client ———

  /** One frame with this turn's id. */
  _receive(frame) {
    if (!this.active) return;
    this.accepted = true;
    if (typeof frame.run_id === 'string') this.runId = frame.run_id;
    if (typeof frame.agent_id === 'string' && this.agentId === null) this.agentId = frame.agent_id;
    if (Number.isInteger(frame.seq)) {
      this.resumable = true;
      // after_seq means nothing at or below it is sent again; should a server repeat, deliver it once.
      if (this.resumedAfter !== null && frame.seq <= this.resumedAfter && CONTENT.has(frame.type)) return;
      this.lastSeq = Math.max(this.lastSeq ?? frame.seq, frame.seq);
    }
    if (frame.type === 'status' && (frame.status === 'thinking' || frame.status === 'running')) {
      // A re-attach starts over with thinking/running; the caller has seen them.
      if (this.#seenStatus.has(frame.status)) return;
      this.#seenStatus.add(frame.status);
      if (this.state === 'resuming' && frame.status === 'thinking') {
        this.#deliver(frame);
        return;
      }
    }
    if (TERMINAL.has(frame.type)) {
      this.#deliver(frame);
      this._end(frame);
      return;
    }
    if (this.state === 'pending' || this.state === 'resuming') this._setState('streaming');
    this.#deliver(frame);
  }

  /** The socket went away. True when the turn waits to be resumed; false when it has ended. */
  _lost() {
    if (!this.active) return false;
    if (this.canResume) {
      if (this.state !== 'interrupted') this._setState('interrupted');
      return true;
    }
    this.#synthesize(this.cancelRequested
      ? { type: 'done', stop_reason: 'cancelled', cancelled_by: 'client' }
      : { type: 'error', code: 'connection_lost', message: 'The connection dropped and this turn cannot be resumed.', retryable: true });
    return false;
  }

  /** The server's shutdown frame named this turn: resume it from there. */
  _rememberCursor(cursor) {
    this.resumable = true;
    if (typeof cursor.run_id === 'string') this.runId = cursor.run_id;
    // The cursor is the last seq the server sent; what this client received is the same number.
    if (this.lastSeq === null && Number.isInteger(cursor.after_seq)) this.lastSeq = cursor.after_seq;
  }

  /** The `resume` frame that re-attaches this turn; marks it resuming. */
  _resumeFrame() {
    this.resumedAfter = this.lastSeq ?? 0;
    this._setState('resuming');
    return {
      type: 'resume',
      id: this.id,
      ...(this.runId ? { run_id: this.runId } : {}),
      after_seq: this.resumedAfter,
      // The socket may be bound to another agent; the run is this turn's agent's (and conversation's).
      ...(this.agentId ? { agent_id: this.agentId } : {}),
      ...(this.conversationId ? { conversation_id: this.conversationId } : {}),
    };
  }

  /** Ends the turn with a frame of the client's own making (`client: true`). */
  _fail(code, message, retryable) {
    this.#synthesize({ type: 'error', code, message, retryable });
  }

  #synthesize(frame) {
    const terminal = { ...frame, id: this.id, ...(this.agentId ? { agent_id: this.agentId } : {}), ...(this.runId ? { run_id: this.runId } : {}), client: true };
    this.#deliver(terminal);
    this._end(terminal);
  }

  _end(frame) {
    if (!this.active) return;
    this.terminal = frame;
    if (this.#signal) this.#signal.removeEventListener('abort', this.#onAbort);
    this._setState('ended');
    this.#client._forget(this);
    this.#resolve(frame);
    this.#wakeReader();
  }

  _setState(state) {
    this.state = state;
    this.dispatchEvent(new LettaSocketsEvent('state', { state, turn: this }));
  }

  #deliver(frame) {
    if (this.#iterable) {
      this.#queue.push(frame);
      this.#wakeReader();
    }
    this.dispatchEvent(new LettaSocketsEvent('frame', frame));
  }

  #wakeReader() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * A connection to the gateway that stays up: it reopens after every loss with capped, jittered
 * backoff and re-attaches resumable turns by itself.
 *
 * Events: 'state' ({ state, retryInMs }), 'ready' (the ready frame), 'frame' (every frame),
 * 'shutdown' (the shutdown frame), 'lost' ({ code, reason }), 'notice' (an error frame of no turn).
 * States: idle, connecting, live, reconnecting, closed.
 */
export class LettaSocketsClient extends EventTarget {
  /** Opens a client and resolves once the gateway's ready frame arrived; rejects (and closes) if the first attempt fails. */
  static connect(url, options = {}) {
    const client = new LettaSocketsClient(url, options);
    return new Promise((resolve, reject) => {
      const settle = () => {
        client.removeEventListener('ready', onReady);
        client.removeEventListener('lost', onLost);
      };
      const onReady = () => { settle(); resolve(client); };
      const onLost = ({ detail }) => {
        settle();
        client.close();
        reject(new LettaSocketsError({ code: 'connect_failed', message: `Could not connect to ${client.#describe()} (close code ${detail.code}).`, retryable: true }));
      };
      client.addEventListener('ready', onReady);
      client.addEventListener('lost', onLost);
      client.open();
    });
  }

  #url;
  #options;
  #WebSocket;
  #socket = null;
  #state = 'idle';
  #attempt = 0;
  #everLive = false;
  #retryTimer = 0;
  #heartbeatTimer = 0;
  #heartbeat = null;
  #pings = new Map();
  #pingCount = 0;
  #turns = new Map();
  #idPrefix;
  #idCount = 0;

  /**
   * @param url the gateway (see socketUrl) or a function returning the full socket URL before every attempt.
   * @param options { agentId, key, resumable ('auto' | boolean), reconnect ({ baseDelayMs, maxDelayMs } | false), heartbeatMs, WebSocket, idPrefix }
   */
  constructor(url, options = {}) {
    super();
    this.#options = { ...DEFAULTS, ...options, ...(options.reconnect || {}) };
    this.#url = typeof url === 'function' ? url : () => socketUrl(url, { agentId: options.agentId, key: options.key });
    this.#WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (typeof this.#WebSocket !== 'function') throw new Error('No WebSocket: use Node 22, node --experimental-websocket on Node 20, or pass options.WebSocket.');
    this.#idPrefix = options.idPrefix ?? `t${Math.random().toString(36).slice(2, 8)}`;
    /** The latest ready frame (limits, resumable, the socket's agent). */
    this.ready = null;
  }

  get state() { return this.#state; }

  get isLive() { return this.#state === 'live'; }

  get limits() { return this.ready?.limits ?? null; }

  /** Whether the server offers resumable turns (ready.resumable). */
  get resumable() { return this.ready?.resumable === true; }

  /** The turns that have not ended, by id. */
  get turns() { return new Map(this.#turns); }

  /** Starts connecting (and reconnecting, until close()). */
  open() {
    if (this.#state === 'idle') this.#open();
    return this;
  }

  /** Resolves when the client is live (at once if it is); rejects once it is closed. */
  whenLive() {
    if (this.isLive) return Promise.resolve(this);
    if (this.#state === 'closed') return Promise.reject(new LettaSocketsError({ code: 'closed', message: 'The client is closed.' }));
    return new Promise((resolve, reject) => {
      const onState = ({ detail: { state } }) => {
        if (state !== 'live' && state !== 'closed') return;
        this.removeEventListener('state', onState);
        if (state === 'live') resolve(this);
        else reject(new LettaSocketsError({ code: 'closed', message: 'The client is closed.' }));
      };
      this.addEventListener('state', onState);
    });
  }

  /** Skips the remaining backoff wait (the user asked, or the network is back). */
  reconnectNow() {
    if (this.#state !== 'reconnecting' || this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  /**
   * Starts a turn: `content` to the socket's agent, or `agentId`'s. Options: id, agentId,
   * conversationId, resumable, maxCharsPerSecond, signal, iterable.
   */
  send(content, options = {}) {
    return this.request({
      type: 'message',
      content,
      ...(options.agentId ? { agent_id: options.agentId } : {}),
      ...(options.conversationId ? { conversation_id: options.conversationId } : {}),
      ...(options.maxCharsPerSecond != null ? { max_chars_per_second: options.maxCharsPerSecond } : {}),
      ...this.#resumableField(options.resumable ?? this.#options.resumable),
    }, options);
  }

  /** Answers an approval_request: a new turn. Options: reason, agentId, id, signal, iterable. */
  approve(toolCallId, approve, options = {}) {
    return this.request({
      type: 'approve',
      tool_call_id: toolCallId,
      approve: approve === true,
      ...(options.reason != null ? { reason: options.reason } : {}),
      ...(options.agentId ? { agent_id: options.agentId } : {}),
    }, options);
  }

  /**
   * Re-attaches a resumable run as the turn `cursor.id` (a `shutdown` cursor, or `turn.cursor`),
   * now or as soon as the client is live again.
   */
  resume(cursor, options = {}) {
    return this.request({
      type: 'resume',
      id: cursor.id,
      ...(cursor.run_id ?? cursor.runId ? { run_id: cursor.run_id ?? cursor.runId } : {}),
      after_seq: cursor.after_seq ?? cursor.afterSeq ?? 0,
      ...(cursor.agent_id ?? cursor.agentId ? { agent_id: cursor.agent_id ?? cursor.agentId } : {}),
      ...(cursor.conversation_id ?? cursor.conversationId ? { conversation_id: cursor.conversation_id ?? cursor.conversationId } : {}),
    }, options);
  }

  /**
   * Sends any request the gateway answers with frames of its id ending in one terminal frame (done,
   * error; history for `history`, following for `follow`) and returns its Turn: message, approve,
   * resume, and kinds added later. An id is assigned if the frame has none.
   */
  request(frame, options = {}) {
    const request = { ...frame, id: frame.id ?? options.id ?? this.#nextId() };
    if (this.#turns.has(request.id)) throw new Error(`A turn with id ${request.id} is still active.`);
    const turn = new Turn(this, request, options);
    this.#turns.set(request.id, turn);
    if (options.signal?.aborted) {
      queueMicrotask(() => turn._fail('aborted', 'The request was aborted before it was sent.', false));
    } else if (request.type === 'resume') {
      // A resume waits for a live socket; the turn is interrupted until then.
      if (this.isLive) this.#sendFrame(turn._resumeFrame());
      else turn._setState('interrupted');
    } else if (!this.#sendFrame(request)) {
      // Deferred, so that listeners attached right after this call see the end.
      queueMicrotask(() => turn._fail('not_connected', 'Not connected to the server.', true));
    }
    return turn;
  }

  /** Sends `cancel` for one turn id, or without an id for every turn of the socket. False when not live. */
  cancel(id) {
    if (id === undefined) {
      for (const turn of this.#turns.values()) turn.cancelRequested = true;
      return this.#sendFrame({ type: 'cancel' });
    }
    const turn = this.#turns.get(id);
    return turn ? turn.cancel() : this.#sendFrame({ type: 'cancel', id });
  }

  /**
   * Sends `unfollow` for a follow (the id of its `follow` request): no new turns are attached to it.
   * The gateway does not answer it. False when not live (a lost socket has lost its follows anyway).
   */
  unfollow(followId) {
    return this.#sendFrame({ type: 'unfollow', id: followId });
  }

  /** Sends `ping` and resolves with the round trip in milliseconds. */
  ping({ timeoutMs = this.#options.pingTimeoutMs } = {}) {
    const id = `ping-${++this.#pingCount}`;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      if (!this.#sendFrame({ type: 'ping', id })) {
        reject(new LettaSocketsError({ code: 'not_connected', message: 'Not connected to the server.', retryable: true }));
        return;
      }
      const timer = setTimeout(() => {
        this.#pings.delete(id);
        reject(new LettaSocketsError({ code: 'ping_timeout', message: `No pong within ${timeoutMs} ms.`, retryable: true }));
      }, timeoutMs);
      this.#pings.set(id, { resolve: () => { clearTimeout(timer); resolve(Date.now() - started); }, reject: (error) => { clearTimeout(timer); reject(error); } });
    });
  }

  /** Closes the socket for good; turns still running end with a `closed` error. */
  close(code = 1000, reason = 'bye') {
    if (this.#state === 'closed') return;
    clearTimeout(this.#retryTimer);
    this.#stopHeartbeat();
    const socket = this.#socket;
    this.#socket = null;
    this.#setState('closed');
    this.#failPings('closed');
    for (const turn of [...this.#turns.values()]) turn._fail('closed', 'The client was closed.', false);
    if (socket && socket.readyState <= 1) socket.close(code, reason);
  }

  // ——— for Turn ———

  _sendCancel(id) { return this.#sendFrame({ type: 'cancel', id }); }

  _forget(turn) {
    if (this.#turns.get(turn.id) === turn) this.#turns.delete(turn.id);
  }

  // ——— the socket ———

  #nextId() { return `${this.#idPrefix}-${(++this.#idCount).toString(36)}`; }

  #resumableField(resumable) {
    if (resumable === 'auto') return this.resumable ? { resumable: true } : {};
    return typeof resumable === 'boolean' ? { resumable } : {};
  }

  #describe() {
    try { return new URL(this.#url()).origin; } catch { return 'the gateway'; }
  }

  #sendFrame(frame) {
    const socket = this.#socket;
    if (!socket || this.#state !== 'live' || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  #open() {
    this.#setState(this.#everLive || this.#attempt > 0 ? 'reconnecting' : 'connecting');
    let socket;
    try {
      socket = new this.#WebSocket(this.#url(), [PROTOCOL]);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(socket, event));
    socket.addEventListener('close', (event) => this.#lose(socket, event.code, event.reason));
    // Browsers follow 'error' with 'close', which does the work; some runtimes (Node 20's undici after a
    // refused upgrade) fire 'error' alone. A close that came first has already taken the socket.
    socket.addEventListener('error', () => setTimeout(() => this.#lose(socket, 1006, 'connection failed'), 0));
  }

  #receive(socket, event) {
    if (socket !== this.#socket || typeof event.data !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return; // not JSON: ignored, the socket carries on
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame) || typeof frame.type !== 'string') return;
    // A field of the wrong type makes the whole frame unusable: ignored, like a frame that is not JSON.
    if (frame.id != null && typeof frame.id !== 'string') return;
    if (frame.seq != null && !Number.isInteger(frame.seq)) return;
    if (frame.content != null && typeof frame.content !== 'string') return;
    if (frame.run_id != null && typeof frame.run_id !== 'string') return;

    const turn = typeof frame.id === 'string' ? this.#turns.get(frame.id) : undefined;
    if (turn) {
      turn._receive(frame);
    } else if (frame.type === 'ready') {
      this.ready = frame;
      this.#attempt = 0;
      this.#everLive = true;
      this.#setState('live');
      this.#startHeartbeat();
      this.dispatchEvent(new LettaSocketsEvent('ready', frame));
      this.#reattach();
    } else if (frame.type === 'pong') {
      const ping = this.#pings.get(frame.id);
      this.#pings.delete(frame.id);
      ping?.resolve();
      if (frame.id === this.#heartbeat) this.#heartbeat = null;
    } else if (frame.type === 'shutdown') {
      for (const cursor of Array.isArray(frame.resume) ? frame.resume : []) {
        if (cursor && typeof cursor.id === 'string') this.#turns.get(cursor.id)?._rememberCursor(cursor);
      }
      this.dispatchEvent(new LettaSocketsEvent('shutdown', frame));
    } else if (frame.type === 'error') {
      this.dispatchEvent(new LettaSocketsEvent('notice', frame));
    }
    this.dispatchEvent(new LettaSocketsEvent('frame', frame));
  }

  /** A new socket: every turn the old one cut off continues (resume), a cancel asked for meanwhile goes with it. */
  #reattach() {
    for (const turn of [...this.#turns.values()]) {
      if (turn.state !== 'interrupted') continue;
      this.#sendFrame(turn._resumeFrame());
      if (turn.cancelRequested) this._sendCancel(turn.id);
    }
  }

  #lose(socket, code, reason) {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#stopHeartbeat();
    this.#failPings('connection_lost');
    this.dispatchEvent(new LettaSocketsEvent('lost', { code, reason }));
    for (const turn of [...this.#turns.values()]) turn._lost();
    if (this.#state === 'closed') return;
    if (this.#options.reconnect === false) {
      this.close();
      return;
    }
    this.#scheduleRetry();
  }

  #failPings(code) {
    for (const ping of this.#pings.values()) ping.reject(new LettaSocketsError({ code, message: 'The connection is gone.', retryable: true }));
    this.#pings.clear();
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
    if (!(this.#options.heartbeatMs > 0)) return;
    this.#heartbeatTimer = setInterval(() => {
      const socket = this.#socket;
      if (!socket) return;
      if (this.#heartbeat) {
        // The previous ping went unanswered for a whole interval: the socket is dead.
        this.#heartbeat = null;
        this.#lose(socket, 4000, 'heartbeat timeout');
        socket.close();
        return;
      }
      this.#heartbeat = `hb-${++this.#pingCount}`;
      this.#sendFrame({ type: 'ping', id: this.#heartbeat });
    }, this.#options.heartbeatMs);
    // Node: the heartbeat alone does not keep a process alive.
    this.#heartbeatTimer?.unref?.();
  }

  #stopHeartbeat() {
    clearInterval(this.#heartbeatTimer);
    this.#heartbeat = null;
  }

  #setState(state, retryInMs = null) {
    this.#state = state;
    this.dispatchEvent(new LettaSocketsEvent('state', { state, retryInMs }));
  }
}
