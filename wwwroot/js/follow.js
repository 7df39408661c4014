// Following (docs/PROTOCOL.md, "Following"): the page follows the conversation it shows, so a turn
// started in another tab, on another device or by another client streams here too, as a turn of its
// own whose id is `<follow id>:<run id>` and whose frames say `followed: true`. The client library
// knows only the turns it sent; FollowedTurn gives such a turn the same shape (frame and state
// events, cancel), so the page shows it with the code that shows its own turns.
import { LettaSocketsEvent } from '../lib/letta-sockets.js';

const TERMINAL = new Set(['done', 'error']);

export class FollowedTurn extends EventTarget {
  #connection;

  constructor(connection, frame, followId) {
    super();
    this.#connection = connection;
    this.id = frame.id;
    this.followId = followId;
    this.agentId = frame.agent_id ?? null;
    this.runId = typeof frame.run_id === 'string' ? frame.run_id : frame.id.slice(followId.length + 1);
    this.request = { type: 'follow', id: frame.id, agent_id: this.agentId };
    this.state = 'streaming';
    this.lastSeq = null;
  }

  get active() { return this.state !== 'ended'; }

  get cursor() { return { id: this.id, run_id: this.runId, after_seq: this.lastSeq ?? 0, agent_id: this.agentId }; }

  /** Stop for everyone: a cancel with the followed turn's id cancels its run in Letta. */
  cancel() {
    if (!this.active) return false;
    this.#connection.cancel(this.id);
    return true;
  }

  receive(frame) {
    if (!this.active) return;
    if (Number.isInteger(frame.seq)) this.lastSeq = Math.max(this.lastSeq ?? frame.seq, frame.seq);
    this.dispatchEvent(new LettaSocketsEvent('frame', frame));
    if (TERMINAL.has(frame.type)) {
      this.state = 'ended';
      this.dispatchEvent(new LettaSocketsEvent('state', { state: 'ended', turn: this }));
    }
  }

  /** The socket went away: the follow went with it (a new one replays the run from its start). */
  lost() {
    this.receive({ type: 'error', id: this.id, agent_id: this.agentId, code: 'connection_lost', message: 'The connection dropped.', retryable: true, client: true });
  }
}

/**
 * The page's one follow: of the conversation it shows. Switching unfollows the old one; a new socket
 * (reconnect) follows again, since follows live on the socket.
 */
export class Follows {
  #connection;
  #onTurn;
  /** follow id → thread, kept after an unfollow: a followed turn already running ends on its own. */
  #threads = new Map();
  #current = null;
  #turns = new Map();

  /** @param {(turn: FollowedTurn, thread: object) => void} onTurn a followed turn has started */
  constructor(connection, onTurn) {
    this.#connection = connection;
    this.#onTurn = onTurn;
    connection.addEventListener('frame', ({ detail: frame }) => this.#frame(frame));
    connection.addEventListener('lost', () => this.#lost());
  }

  /** Follows `thread` (if the server can: only resumable turns can be followed), unfollowing the one before. */
  follow(thread) {
    if (this.#current?.thread === thread) return;
    this.unfollow();
    if (!thread || !this.#connection.isLive || !this.#connection.resumable) return;
    const request = this.#connection.request({
      type: 'follow',
      ...(thread.agentId ? { agent_id: thread.agentId } : {}),
      ...(thread.conversationId ? { conversation_id: thread.conversationId } : {}),
    }, { iterable: false });
    const current = { id: request.id, thread };
    this.#current = current;
    this.#threads.set(request.id, thread);
    request.result.then((answer) => {
      // Refused (the agent or conversation is gone, too many follows): the page works without it.
      if (answer.type !== 'following' && this.#current === current) this.#current = null;
    });
  }

  unfollow() {
    const current = this.#current;
    this.#current = null;
    if (current && this.#connection.isLive) this.#connection.unfollow(current.id);
  }

  /** Whether `frame` belongs to a followed turn (the page does not show it as a notice). */
  static isFollowed(frame) { return frame?.followed === true; }

  #frame(frame) {
    if (frame.followed !== true || typeof frame.id !== 'string') return;
    let turn = this.#turns.get(frame.id);
    if (!turn) {
      const followId = frame.id.slice(0, frame.id.indexOf(':'));
      const thread = this.#threads.get(followId);
      if (!thread || TERMINAL.has(frame.type)) return;
      turn = new FollowedTurn(this.#connection, frame, followId);
      this.#turns.set(frame.id, turn);
      turn.addEventListener('state', () => this.#turns.delete(turn.id));
      this.#onTurn(turn, thread);
    }
    turn.receive(frame);
  }

  #lost() {
    this.#current = null;
    this.#threads.clear();
    for (const turn of [...this.#turns.values()]) turn.lost();
    this.#turns.clear();
  }
}
