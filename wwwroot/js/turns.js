// One turn on the page: a turn of the client library (its frames, its resumes) shown in a
// TurnView (render.js). The library keeps the cursor (run id, highest seq) and re-attaches a
// resumable turn after a dropped socket or a server restart; this class only decides what the
// bubble shows: the same bubble carries on.

/**
 * pending → streaming → done | stopped | error | interrupted;
 * interrupted (resumable) → resuming → streaming … (the same turn, re-attached on a new socket).
 */
const ACTIVE = new Set(['pending', 'streaming', 'resuming']);

export class Turn {
  /**
   * @param {import('../lib/letta-sockets.js').Turn} sent the library's turn for the request
   * @param {import('./render.js').TurnView} view
   * @param {{ changed(turn: Turn): void, retry: ((turn: Turn) => void) | null, resume(cursor: object): import('../lib/letta-sockets.js').Turn, approve(turn: Turn, frame: object, approve: boolean): boolean }} hooks
   */
  constructor(sent, view, hooks) {
    this.id = sent.id;
    this.agentId = sent.request.agent_id ?? null;
    this.view = view;
    this.hooks = hooks;
    this.runId = null;
    this.state = 'pending';
    this.texts = new Map();
    this.reasoning = new Map();
    this.tools = new Map();
    view.setState(this.state);
    this.#attach(sent);
  }

  get active() { return ACTIVE.has(this.state); }

  /** The user pressed Stop: from now on nothing of this turn is shown. False if already over. */
  stop() {
    if (!this.active) return false;
    // While the library re-attaches the turn, it sends the cancel once the resume is on its way.
    this.turn.cancel();
    this.#end('stopped', { state: 'stopped' });
    return true;
  }

  #attach(turn) {
    this.turn = turn;
    turn.addEventListener('state', ({ detail: { state } }) => this.#onState(state));
    turn.addEventListener('frame', ({ detail: frame }) => this.#apply(frame));
    if (turn.state === 'interrupted' || turn.state === 'resuming') this.#onState(turn.state);
  }

  #onState(state) {
    if (state === 'interrupted') this.#interrupt(true);
    else if (state === 'resuming') this.#resuming();
  }

  /** The socket went away mid-turn; a resumable turn waits for the next socket. */
  #interrupt(resumable) {
    if (!this.active) return;
    this.#syncRunId(this.turn.runId);
    this.state = 'interrupted';
    this.#end('interrupted', { state: 'interrupted', resumeAfterSeq: this.turn.lastSeq, resumable });
  }

  /** The library re-attaches the turn on a new socket: the view shows "Resuming…". */
  #resuming() {
    if (this.state !== 'interrupted') return;
    this.state = 'resuming';
    this.view.setState(this.state);
    this.view.reopen();
    this.hooks.changed(this);
  }

  #syncRunId(runId) {
    if (typeof runId === 'string' && runId !== this.runId) {
      this.runId = runId;
      this.view.setRunId(runId);
    }
  }

  #apply(frame) {
    this.#syncRunId(frame.run_id);
    if (frame.client === true && frame.type === 'error' && frame.code === 'connection_lost') {
      this.#interrupt(false);
      return;
    }
    if (!this.active) {
      // A stopped turn shows nothing more, but its done still carries the metrics.
      if (this.state === 'stopped' && frame.type === 'done') this.view.finish(this.#outcome(frame));
      return;
    }
    this.#handle(frame);
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
        // Concatenating a message's chunks gives its text exactly, across a resume too: the
        // resumed frames carry the same message_id (Letta's otid).
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
    const cursor = this.turn.cursor;
    this.state = 'error';
    this.view.setState('error');
    // Retrying a failed resume re-attaches again from the same cursor; retrying a new turn sends
    // its request again (a resume must never send the user's message twice).
    let retry = null;
    if (frame.retryable && resuming) {
      retry = () => {
        this.state = 'interrupted';
        this.view.setState(this.state);
        this.#attach(this.hooks.resume(cursor)); // now if the socket is live, else with the next one
      };
    } else if (frame.retryable && this.hooks.retry) {
      retry = () => this.hooks.retry(this);
    }
    this.view.error(frame, retry);
    this.hooks.changed(this);
  }
}
