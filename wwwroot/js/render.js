// DOM for the conversation. Agent-provided strings only ever reach the page as text nodes
// (h() and textContent) or through renderMarkdown's sanitizer — never through innerHTML.
import { renderMarkdown } from './markdown.js';
import { h, formatArguments, formatMetrics, formatSeconds } from './dom.js';

const STATUS_TEXT = {
  thinking: () => 'Thinking…',
  running: () => 'Thinking…',
  tool_running: ({ toolName }) => (toolName ? `Running ${toolName}…` : 'Running a tool…'),
  working: () => 'Still working…',
};

/** One turn on screen: the user's bubble and the assistant's streamed answer. */
export class TurnView {
  #blocks = new Map();
  #pendingText = new Map();
  #frame = 0;
  #ticker = 0;
  #resumed = false;

  /**
   * @param {{ id: string, agentName: string, userText?: string, note?: string, followed?: boolean }} options
   * Without `userText` and `note` the turn has no user line (a page of history that starts mid-turn).
   * `followed`: the turn was started elsewhere (another tab, device or client) and this page follows it.
   */
  constructor({ id, agentId, agentName, userText, note, followed }) {
    this.answer = h('div', { class: 'answer', 'aria-live': 'polite', 'aria-busy': 'true' });
    this.statusLine = h('p', { class: 'turn-status', role: 'status' },
      h('span', { class: 'dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span')),
      h('span', { class: 'status-text', text: 'Sending…' }),
      // Ticks every second for the eye only; a screen reader hears each status once.
      h('span', { class: 'elapsed', 'aria-hidden': 'true' }));
    this.foot = h('div', { class: 'turn-foot' });
    const initial = (agentName || '?').trim().charAt(0).toUpperCase();
    let user = null;
    if (userText != null) user = h('div', { class: 'msg user' }, h('div', { class: 'bubble', text: userText }));
    else if (note != null) user = h('div', { class: 'msg user note' }, h('div', { class: 'note-text', text: note }));
    this.el = h('li', { class: 'turn', 'data-turn-id': id, 'data-agent-id': agentId, 'data-followed': followed ? 'true' : null },
      user,
      followed ? h('p', { class: 'origin-note', text: 'Started elsewhere: another tab, device or client' }) : null,
      h('div', { class: 'msg assistant' },
        h('div', { class: 'avatar', 'aria-hidden': 'true', text: initial }),
        h('div', { class: 'assistant-body' },
          h('div', { class: 'agent-name', text: agentName }),
          this.answer, this.statusLine, this.foot)));
  }

  setState(state) { this.el.dataset.state = state; }

  setRunId(runId) { this.el.dataset.runId = runId; }

  status(kind, detail) {
    this.#showStatus((STATUS_TEXT[kind] ?? (() => 'Working…'))(detail));
    if (kind === 'working') {
      // The server reports progress only every ~20 s while Letta is silent; count in between.
      const since = performance.now() - (detail.elapsedMs ?? 0);
      const tick = () => { this.statusLine.lastChild.textContent = formatSeconds(performance.now() - since); };
      tick();
      this.#ticker = setInterval(tick, 1000);
    }
  }

  reasoning(key, text, hidden) {
    const block = this.#block(`r:${key}`, () => {
      const body = h('div', { class: 'reasoning-text' });
      const summary = h('summary', {}, h('span', { class: 'reasoning-label', text: 'Thinking' }));
      return Object.assign(h('details', { class: 'reasoning' }, summary, body), { body, summary });
    });
    if (hidden) {
      block.classList.add('hidden-reasoning');
      block.summary.firstChild.textContent = 'Reasoning hidden by the model';
    }
    block.body.textContent = text;
    this.#hideStatus();
  }

  text(key, text) {
    this.#block(`t:${key}`, () => h('div', { class: 'text markdown', 'data-message-id': key }));
    this.#pendingText.set(key, text);
    this.#frame ||= requestAnimationFrame(() => this.#flushText());
    this.#hideStatus();
  }

  toolCall(id, name, args) {
    const card = this.#toolCard(id);
    if (name) card.name.textContent = name;
    card.args.textContent = args;
    this.#showStatus(name ? `Calling ${name}…` : 'Calling a tool…');
  }

  toolResult(frame) {
    const card = this.#toolCard(frame.tool_call_id);
    if (frame.name) card.name.textContent = frame.name;
    card.args.textContent = formatArguments(card.args.textContent);
    const ok = frame.status !== 'error';
    card.dataset.status = ok ? 'success' : 'error';
    card.state.textContent = ok ? 'Done' : 'Failed';
    card.result.hidden = false;
    card.resultText.textContent = frame.result ?? '';
    for (const stream of ['stdout', 'stderr']) {
      const lines = frame[stream];
      if (Array.isArray(lines) && lines.length > 0) {
        card.append(h('details', { class: `tool-${stream}` }, h('summary', { text: stream }),
          h('pre', { text: lines.join('\n') })));
      }
    }
    this.#showStatus('Thinking…');
  }

  /** An approval card; without `decide` (history) it is shown as already answered, with no buttons. */
  approval(frame, decide) {
    if (!decide) {
      this.answer.append(h('section', { class: 'approval-card past', 'data-tool-call-id': frame.tool_call_id, 'data-decision': 'past', 'aria-label': 'Approval request' },
        h('header', {}, h('span', { class: 'card-title', text: 'Approval asked' }),
          h('code', { class: 'tool-name', text: frame.name ?? 'tool' })),
        h('pre', { class: 'tool-args', text: formatArguments(frame.arguments ?? '') }),
        h('p', { class: 'approval-outcome', text: 'Answered earlier.' })));
      return;
    }
    const outcome = h('p', { class: 'approval-outcome', role: 'status' });
    const buttons = [true, false].map((approve) => h('button', {
      type: 'button',
      class: approve ? 'btn primary approve' : 'btn deny',
      text: approve ? 'Approve' : 'Deny',
      onclick: () => {
        if (!decide(approve)) {
          outcome.textContent = 'Not connected: try again when the connection is live.';
          return;
        }
        buttons.forEach((b) => { b.disabled = true; });
        card.dataset.decision = approve ? 'approved' : 'denied';
        outcome.textContent = approve ? 'Approved.' : 'Denied.';
      },
    }));
    const card = h('section', { class: 'approval-card', 'data-tool-call-id': frame.tool_call_id, 'aria-label': 'Approval request' },
      h('header', {}, h('span', { class: 'card-title', text: 'Approval needed' }),
        h('code', { class: 'tool-name', text: frame.name ?? 'tool' })),
      h('pre', { class: 'tool-args', text: formatArguments(frame.arguments ?? '') }),
      h('div', { class: 'actions' }, ...buttons), outcome);
    this.answer.append(card);
  }

  /** The turn is being re-attached on a new socket: busy again, the interrupted mark goes. */
  reopen() {
    for (const card of this.answer.querySelectorAll(':scope > .error-card')) card.remove();
    this.foot.replaceChildren();
    this.answer.setAttribute('aria-busy', 'true');
    this.#showStatus('Resuming…');
  }

  /** The resume succeeded: a short note stays in the turn's foot. */
  resumed() {
    this.#resumed = true;
    this.#showResumedNote();
  }

  /** @param {{ state: string, stopReason?: string, cancelledBy?: string, metrics?: object, resumable?: boolean }} outcome */
  finish({ state, stopReason, cancelledBy, metrics, resumeAfterSeq, resumable }) {
    // What the server said, when it said it (a local Stop comes before the server's done).
    if (stopReason) this.el.dataset.stopReason = stopReason;
    if (cancelledBy) this.el.dataset.cancelledBy = cancelledBy;
    if (Number.isInteger(resumeAfterSeq)) this.el.dataset.lastSeq = String(resumeAfterSeq);
    this.#flushText();
    this.#hideStatus();
    this.answer.setAttribute('aria-busy', 'false');
    for (const details of this.answer.querySelectorAll('.reasoning:not(.hidden-reasoning) .reasoning-label')) {
      details.textContent = 'Reasoning';
    }
    this.foot.replaceChildren();
    const badge = badgeFor(state, stopReason, cancelledBy, resumable);
    if (badge) this.foot.append(h('span', { class: `badge ${badge.kind}`, text: badge.text }));
    if (state === 'done' && this.answer.childElementCount === 0) {
      this.answer.append(h('p', { class: 'muted', text: 'The agent finished without a reply.' }));
    }
    if (this.#resumed && state !== 'interrupted') this.#showResumedNote();
    const line = formatMetrics(metrics);
    if (line) this.foot.append(h('span', { class: 'metrics', text: line.text, title: line.title }));
  }

  #showResumedNote() {
    if (this.foot.querySelector('.resumed')) return;
    this.foot.append(h('span', { class: 'badge resumed', text: 'Resumed', title: 'The connection dropped; the answer was picked up where it stopped.' }));
  }

  error(frame, retry) {
    this.#flushText();
    this.#hideStatus();
    this.answer.setAttribute('aria-busy', 'false');
    const card = h('div', { class: 'error-card', role: 'alert', 'data-code': frame.code },
      h('p', { class: 'error-message', text: frame.message || 'Something went wrong.' }),
      h('p', { class: 'error-code', text: frame.code }));
    if (retry) {
      const wait = frame.retry_after_ms ?? 0;
      const button = h('button', { type: 'button', class: 'btn retry', text: 'Retry', onclick: () => { button.disabled = true; retry(); } });
      if (wait > 0) {
        button.disabled = true;
        setTimeout(() => { button.disabled = false; }, wait);
      }
      card.append(button);
    }
    this.answer.append(card);
  }

  #block(key, create) {
    let block = this.#blocks.get(key);
    if (!block) {
      block = create();
      this.#blocks.set(key, block);
      this.answer.append(block);
    }
    return block;
  }

  #toolCard(id) {
    return this.#block(`tool:${id}`, () => {
      const name = h('code', { class: 'tool-name', text: 'tool' });
      const state = h('span', { class: 'tool-state', text: 'Running…' });
      const args = h('pre', { class: 'tool-args' });
      const resultText = h('pre', { class: 'tool-result' });
      const result = h('div', { class: 'tool-section', hidden: true }, h('div', { class: 'tool-label', text: 'Result' }), resultText);
      return Object.assign(h('section', { class: 'tool-card', 'data-tool-call-id': id, 'data-status': 'running', 'aria-label': 'Tool call' },
        h('header', {}, h('span', { class: 'tool-icon', 'aria-hidden': 'true', text: '⚙' }), name, state),
        h('div', { class: 'tool-section' }, h('div', { class: 'tool-label', text: 'Arguments' }), args),
        result), { name, state, args, result, resultText });
    });
  }

  #flushText() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    for (const [key, text] of this.#pendingText) renderMarkdown(this.#blocks.get(`t:${key}`), text);
    this.#pendingText.clear();
  }

  #showStatus(text) {
    clearInterval(this.#ticker);
    this.statusLine.hidden = false;
    this.statusLine.querySelector('.status-text').textContent = text;
    this.statusLine.lastChild.textContent = '';
  }

  #hideStatus() {
    clearInterval(this.#ticker);
    this.statusLine.hidden = true;
  }
}

const STOPPED_BY = {
  upstream: 'Stopped by the agent server',
  shutdown: 'Stopped: the server shut down',
  slow_consumer: 'Stopped: the connection was too slow',
};

function badgeFor(state, stopReason, cancelledBy, resumable) {
  if (state === 'stopped') return { kind: 'stopped', text: STOPPED_BY[cancelledBy] ?? 'Stopped' };
  if (state === 'interrupted') {
    return { kind: 'interrupted', text: resumable ? 'Interrupted: resumes when the connection is back' : 'Interrupted: the connection dropped' };
  }
  if (state === 'done' && stopReason && !['end_turn', 'requires_approval'].includes(stopReason)) {
    return { kind: 'info', text: `Ended: ${stopReason.replaceAll('_', ' ')}` };
  }
  return null;
}

/** A line from the system (not part of a turn): informational errors, restarts. */
export function noticeView(text, kind = 'info') {
  return h('li', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status', text });
}
