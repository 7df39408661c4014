// One turn: the request the page sent and everything the server streams back for its id.
// The state lives here, the DOM in a TurnView (render.js). A turn keeps what resuming it needs —
// its run id and the last `seq` seen — so a turn cut by a disconnect can later be re-attached
// with a `resume` frame instead of only being marked interrupted.

/** pending → streaming → done | stopped | error | interrupted */
const ACTIVE = new Set(['pending', 'streaming']);

export class Turn {
  /**
   * @param {object} request the frame as sent (type, id, agent_id, content | tool_call_id …)
   * @param {import('./render.js').TurnView} view
   * @param {{ changed(turn: Turn): void, retry(turn: Turn): void, approve(turn: Turn, frame: object, approve: boolean): boolean }} hooks
   */
  constructor(request, view, hooks) {
    this.request = request;
    this.id = request.id;
    this.agentId = request.agent_id ?? null;
    this.view = view;
    this.hooks = hooks;
    this.runId = null;
    this.lastSeq = null;
    this.state = 'pending';
    this.texts = new Map();
    this.reasoning = new Map();
    this.tools = new Map();
    view.setState(this.state);
  }

  get active() { return ACTIVE.has(this.state); }

  /** Applies one server frame that carries this turn's id. */
  apply(frame) {
    if (typeof frame.run_id === 'string' && frame.run_id !== this.runId) {
      this.runId = frame.run_id;
      this.view.setRunId(frame.run_id);
    }
    if (Number.isInteger(frame.seq)) this.lastSeq = frame.seq;

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

  /** The socket went away mid-turn. */
  interrupt() {
    if (!this.active) return;
    this.#end('interrupted', { state: 'interrupted', resumeAfterSeq: this.lastSeq });
  }

  /** The server announced a restart and where this turn could be resumed from. */
  rememberResumePoint(cursor) {
    if (cursor.run_id) this.runId = cursor.run_id;
    if (Number.isInteger(cursor.after_seq)) this.lastSeq = cursor.after_seq;
  }

  #streaming() {
    if (this.state === 'pending') {
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
        // Concatenating a message's chunks gives its text exactly (protocol §2).
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
        this.state = frame.stop_reason === 'cancelled' ? 'stopped' : 'done';
        this.#end(this.state, this.#outcome(frame));
        break;
      case 'error':
        this.state = 'error';
        this.view.setState('error');
        this.view.error(frame, frame.retryable ? () => this.hooks.retry(this) : null);
        this.hooks.changed(this);
        break;
      default:
        break;
    }
  }
}
