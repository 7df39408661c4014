// One conversation on screen (an agent's default conversation, or one of its conversations): its
// stored history above, the turns of this visit below. Every conversation the page has opened keeps
// its own lists, so switching away and back shows the same turns, and a turn that runs while another
// conversation is shown goes on filling its own (hidden) list.
import { h } from './dom.js';

export const threadKey = (agentId, conversationId) => `${agentId ?? ''}|${conversationId ?? ''}`;

export class Thread {
  /**
   * @param {{ agentId: string | null, conversationId: string | null, onEarlier: (thread: Thread) => void, live?: HTMLOListElement }} options
   * `live`: a list of turns shared with other threads (the page's turns in the agents' default
   * conversations stay in one list across agent switches, as before conversations existed).
   */
  constructor({ agentId, conversationId, onEarlier, live }) {
    this.agentId = agentId;
    this.conversationId = conversationId;
    this.key = threadKey(agentId, conversationId);
    /** none → loading → loaded | failed; `before` is the cursor of the page before the oldest shown. */
    this.history = { state: 'none', hasMore: false, before: null, loading: null };
    /** The first thing the user said here (a label for a conversation without a summary). */
    this.firstUserText = null;
    this.earlier = h('button', { type: 'button', class: 'btn earlier', text: 'Load earlier messages', hidden: true, onclick: () => onEarlier(this) });
    this.past = h('ol', { class: 'conversation past-list', 'aria-label': 'Earlier messages' });
    this.live = live ?? liveList();
    this.el = h('section', { class: 'thread', hidden: true, 'data-agent-id': agentId, 'data-conversation-id': conversationId ?? 'default' },
      h('div', { class: 'earlier-row' }, this.earlier), this.past, this.live);
  }

  get isEmpty() { return this.past.childElementCount === 0 && this.live.childElementCount === 0; }

  /** The shown thread's lists carry the ids the rest of the page (and its tests) know. */
  show() {
    if (this.live.parentNode !== this.el) this.el.append(this.live);
    this.el.hidden = false;
    this.live.id = 'conversation';
    this.past.id = 'history';
  }

  hide() {
    this.el.hidden = true;
    this.live.removeAttribute('id');
    this.past.removeAttribute('id');
  }

  /** Adds stored turns: a first page, or (`older`) the page before the oldest shown. */
  addPast(views, { older = false } = {}) {
    const elements = views.map((view) => view.el);
    if (older) this.past.prepend(...elements);
    else this.past.append(...elements);
  }

  /** The stored turn of `runId`, if this thread shows one. */
  pastTurn(runId) {
    return [...this.past.children].find((li) => li.dataset.runId === runId) ?? null;
  }

  setHasMore(hasMore, before) {
    this.history.hasMore = hasMore === true && typeof before === 'string';
    this.history.before = this.history.hasMore ? before : null;
    this.earlier.hidden = !this.history.hasMore;
  }
}

/** A list for the turns of this visit. */
export const liveList = () => h('ol', { class: 'conversation', 'aria-label': 'Conversation' });
