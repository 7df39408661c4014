// One turn: the request the page sent and everything the server streams back for its id.
// The state lives here, the DOM in a TurnView (render.js). A resumable turn (Letta background run)
// keeps what re-attaching needs — its run id and the highest `seq` seen — so that after a dropped
// connection or a server restart the page sends `resume` and the same bubble carries on.

/**
 * pending → streaming → done | stopped | error | interrupted;
 * interrupted (resumable) → resuming → streaming … (the same turn, re-attached on a new socket).
 */
const ACTIVE = new Set(['pending', 'streaming', 'resuming']);

/** Frames that add to what the page shows; after a resume, any at or below the cursor were shown already. */
const CONTENT = new Set(['chunk', 'reasoning', 'tool_call', 'tool_result', 'approval_request']);

export class Turn {
  /**
   * @param {object} request the frame as sent (type, id, agent_id, content | tool_call_id …, resumable)
   * @param {import('./render.js').TurnView} view
   * @param {{ changed(turn: Turn): void, retry(turn: Turn): void, resume(turn: Turn): void, approve(turn: Turn, frame: object, approve: boolean): boolean }} hooks
   */
  constructor(request, view, hooks) {
    this.request = request;
    this.id = request.id;
    this.agentId = request.agent_id ?? null;
    this.view = view;
    this.hooks = hooks;
    this.runId = null;
    this.lastSeq = null;
    /** True when the run survives a lost socket: sent with `resumable`, or the server said so (seq, shutdown cursor). */
    this.resumable = request.resumable === true;
    /** True once the server answered anything for this id (it took the request). */
    this.accepted = false;
    /** The `after_seq` of the latest resume sent, or null if this turn was never resumed. */
    this.resumedAfter = null;
    this.state = 'pending';
    this.texts = new Map();
    this.reasoning = new Map();
    this.tools = new Map();
    view.setState(this.state);
  }

  get active() { return ACTIVE.has(this.state); }

  /**
   * Whether a `resume` can bring this turn back: it was cut off, its run lives on in Letta, and
   * the page can name that run — by id, or (protocol: resume without run_id) because the server
   * took the request, so the agent's newest background run is this turn's. A request that may
   * never have reached the server is not resumed: the newest run could be an older turn's.
   */
  get canResume() {
    return this.state === 'interrupted' && this.resumable && (this.runId !== null || this.accepted);
  }

  /** Applies one server frame that carries this turn's id. */
  apply(frame) {
    this.accepted = true;
    if (typeof frame.run_id === 'string' && frame.run_id !== this.runId) {
      this.runId = frame.run_id;
      this.view.setRunId(frame.run_id);
    }
    if (Number.isInteger(frame.seq)) {
      this.resumable = true;
      // after_seq means nothing at or below it is sent again; should a server repeat, don't show it twice.
      if (this.resumedAfter !== null && frame.seq <= this.resumedAfter && CONTENT.has(frame.type)) return;
      this.lastSeq = Math.max(this.lastSeq ?? frame.seq, frame.seq);
    }

    if (!this.active) {
      // A stopped turn shows nothing more, but its done still carries the metrics.
      if (this.state === 'stopped' && frame.type === 'done') this.view.finish(this.#outcome(frame));
      return;
    }
    this.#handle(frame);
  }

  /** The user pressed Stop: from now on nothing of this turn is shown. False if already over. */
  stop() {
    if (!this.active) return false;
    this.#end('stopped', { state: 'stopped' });
    return true;
  }

  /** The socket went away mid-turn; a resumable turn waits for the next socket to resume it. */
  interrupt() {
    if (!this.active) return;
    this.state = 'interrupted';
    this.#end('interrupted', { state: 'interrupted', resumeAfterSeq: this.lastSeq, resumable: this.canResume });
  }

  /** The server announced a restart and where this turn can be resumed from (the `shutdown` frame). */
  rememberResumePoint(cursor) {
    this.resumable = true;
    if (typeof cursor.run_id === 'string' && cursor.run_id !== this.runId) {
      this.runId = cursor.run_id;
      this.view.setRunId(cursor.run_id);
    }
    // The cursor is the last seq the server sent, which is what this page received; the page's own
    // count is the same number, and it is the one that matches what is on screen.
    if (this.lastSeq === null && Number.isInteger(cursor.after_seq)) this.lastSeq = cursor.after_seq;
  }

  /**
   * Re-attaches the turn on a new socket: returns the `resume` frame to send (the view shows
   * "Resuming…"), or null when this turn cannot be resumed.
   */
  resume() {
    if (!this.canResume) return null;
    const afterSeq = this.lastSeq ?? 0;
    this.resumedAfter = afterSeq;
    this.state = 'resuming';
    this.view.setState(this.state);
    this.view.reopen();
    this.hooks.changed(this);
    return {
      type: 'resume',
      id: this.id,
      ...(this.runId ? { run_id: this.runId } : {}),
      after_seq: afterSeq,
      // The socket may be bound to another agent now (the picker); the run is this turn's agent's.
      ...(this.agentId ? { agent_id: this.agentId } : {}),
    };
  }

  /** A frame that shows the turn moving on: a resume in progress has succeeded. */
  #streaming() {
    if (this.state === 'pending' || this.state === 'resuming') {
      if (this.state === 'resuming') this.view.resumed();
      this.state = 'streaming';
      this.view.setState(this.state);
    }
  }

  #end(state, outcome) {
    this.state = state;
    this.view.setState(state);
    this.view.finish(outcome);
    this.hooks.changed(this);
  }

  #outcome(frame) {
    return {
      state: this.state,
      stopReason: frame.stop_reason,
      cancelledBy: frame.cancelled_by,
      metrics: frame.metrics,
    };
  }

  #handle(frame) {
    switch (frame.type) {
      case 'status': {
        // A resume is accepted at once (thinking) but has succeeded only once the run is re-attached.
        if (this.state === 'resuming' && frame.status === 'thinking') break;
        this.#streaming();
        const tool = frame.tool_call_id ? this.tools.get(frame.tool_call_id) : [...this.tools.values()].at(-1);
        this.view.status(frame.status, { elapsedMs: frame.elapsed_ms, toolName: tool?.name });
        break;
      }
      case 'reasoning': {
        this.#streaming();
        const key = frame.message_id ?? 'reasoning';
        const text = (this.reasoning.get(key) ?? '') + (frame.content ?? '');
        this.reasoning.set(key, text);
        this.view.reasoning(key, text, frame.hidden === true);
        break;
      }
      case 'chunk': {
        this.#streaming();
        // Concatenating a message's chunks gives its text exactly (protocol §2), across a resume too:
        // the resumed frames carry the same message_id (Letta's otid).
        const key = frame.message_id ?? 'text';
        const text = (this.texts.get(key) ?? '') + (frame.content ?? '');
        this.texts.set(key, text);
        this.view.text(key, text);
        break;
      }
      case 'tool_call': {
        this.#streaming();
        const tool = this.tools.get(frame.tool_call_id) ?? { name: null, args: '' };
        if (frame.name) tool.name = frame.name;
        tool.args += frame.arguments ?? '';
        this.tools.set(frame.tool_call_id, tool);
        this.view.toolCall(frame.tool_call_id, tool.name, tool.args);
        break;
      }
      case 'tool_result':
        this.#streaming();
        this.view.toolResult(frame);
        break;
      case 'approval_request':
        this.#streaming();
        this.view.approval(frame, (approve) => this.hooks.approve(this, frame, approve));
        break;
      case 'done':
        this.#streaming();
        this.state = frame.stop_reason === 'cancelled' ? 'stopped' : 'done';
        this.#end(this.state, this.#outcome(frame));
        break;
      case 'error':
        this.#fail(frame);
        break;
      default:
        break;
    }
  }

  #fail(frame) {
    const resuming = this.state === 'resuming';
    this.state = 'error';
    this.view.setState('error');
    // Retrying a failed resume re-attaches again; retrying a new turn sends its request again
    // (a resume must never send the user's message twice).
    let retry = null;
    if (frame.retryable && resuming) {
      retry = () => {
        this.state = 'interrupted';
        this.view.setState(this.state);
        this.hooks.resume(this); // now if the socket is live, else with the next one
      };
    } else if (frame.retryable) {
      retry = () => this.hooks.retry(this);
    }
    this.view.error(frame, retry);
    this.hooks.changed(this);
  }
}
