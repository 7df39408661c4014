// The conversations sidebar (shown when ready.conversations is true): the agent's default
// conversation and its other conversations, newest first (GET /api/agents/{id}/conversations),
// and "New chat" (POST). On a narrow screen it folds away behind the top bar's button.
import { h } from './dom.js';

const NARROW = '(max-width: 768px)';
const DEFAULT_LABEL = 'Main conversation';
const UNTITLED = 'New chat';

export class ConversationList extends EventTarget {
  #ui;
  #headers;
  #agentId = null;
  #conversations = [];
  #selected = null;
  #busy = new Set();
  #labels = new Map();
  #narrow = window.matchMedia(NARROW);

  /**
   * @param {{ nav: HTMLElement, list: HTMLElement, newChat: HTMLButtonElement, toggle: HTMLButtonElement, close: HTMLButtonElement, backdrop: HTMLElement }} ui
   * @param {() => Record<string, string>} headers the API's headers (the key, if any)
   */
  constructor(ui, headers) {
    super();
    this.#ui = ui;
    this.#headers = headers;
    ui.newChat.addEventListener('click', () => this.dispatchEvent(new CustomEvent('new')));
    ui.toggle.addEventListener('click', () => (this.isOpen ? this.fold({ focusToggle: true }) : this.unfold()));
    ui.close.addEventListener('click', () => this.fold({ focusToggle: true }));
    ui.backdrop.addEventListener('click', () => this.fold({ focusToggle: true }));
    ui.nav.addEventListener('keydown', (event) => {
      // Before the page's own Esc (Stop): Esc closes the open drawer first.
      if (event.key === 'Escape' && this.isOpen) {
        event.preventDefault();
        event.stopPropagation();
        this.fold({ focusToggle: true });
      }
    });
    this.#narrow.addEventListener('change', () => this.fold());
  }

  get enabled() { return !this.#ui.nav.hidden; }

  get isOpen() { return this.#ui.nav.dataset.open === 'true'; }

  /** Shows or removes the sidebar (and its button): only a server with conversations has one. */
  enable(on) {
    this.#ui.nav.hidden = !on;
    this.#ui.toggle.hidden = !on;
    document.body.classList.toggle('with-sidebar', on);
    if (!on) this.fold();
  }

  /** Lists the agent's conversations; throws with a readable message when the server cannot. */
  async load(agentId) {
    this.#agentId = agentId;
    this.#conversations = [];
    this.#render();
    if (!agentId) return;
    const response = await fetch(`api/agents/${encodeURIComponent(agentId)}/conversations?limit=50`, { headers: { Accept: 'application/json', ...this.#headers() } });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(body?.error?.message ?? `The server answered HTTP ${response.status}.`);
    if (agentId !== this.#agentId) return;
    this.#conversations = Array.isArray(body) ? body.filter((c) => c && typeof c.id === 'string') : [];
    this.#render();
  }

  /** Creates a conversation of the agent (POST) and lists it first. */
  async create(agentId) {
    const response = await fetch(`api/agents/${encodeURIComponent(agentId)}/conversations`, { method: 'POST', headers: { Accept: 'application/json', ...this.#headers() } });
    const body = await response.json().catch(() => null);
    if (!response.ok || typeof body?.id !== 'string') throw new Error(body?.error?.message ?? `The server answered HTTP ${response.status}.`);
    if (agentId === this.#agentId) {
      this.#conversations = [body, ...this.#conversations.filter((c) => c.id !== body.id)];
      this.#render();
    }
    return body;
  }

  /** Marks the shown conversation (null: the default one); one the list does not have yet is added. */
  select(conversationId) {
    this.#selected = conversationId ?? null;
    if (conversationId && !this.#conversations.some((c) => c.id === conversationId)) {
      this.#conversations.unshift({ id: conversationId, agent_id: this.#agentId, summary: null });
    }
    this.#render();
  }

  /** A conversation with a turn running (shown with a dot, and said in its name). */
  setBusy(conversationId, busy) {
    const key = conversationId ?? '';
    if (busy === this.#busy.has(key)) return;
    if (busy) this.#busy.add(key);
    else this.#busy.delete(key);
    this.#render();
  }

  /** A label for a conversation without a summary: the first thing said in it. */
  nameUntitled(conversationId, text) {
    if (!conversationId || this.#labels.has(conversationId) || !text) return;
    this.#labels.set(conversationId, text);
    this.#render();
  }

  unfold() {
    if (!this.#narrow.matches || !this.enabled) return;
    this.#ui.nav.dataset.open = 'true';
    this.#ui.backdrop.hidden = false;
    this.#ui.toggle.setAttribute('aria-expanded', 'true');
    (this.#ui.list.querySelector('[aria-current="page"]') ?? this.#ui.newChat).focus();
  }

  fold({ focusToggle = false } = {}) {
    const wasOpen = this.isOpen;
    delete this.#ui.nav.dataset.open;
    this.#ui.backdrop.hidden = true;
    this.#ui.toggle.setAttribute('aria-expanded', 'false');
    if (wasOpen && focusToggle) this.#ui.toggle.focus();
  }

  #labelOf(conversation) {
    const summary = typeof conversation.summary === 'string' ? conversation.summary.trim() : '';
    return summary || this.#labels.get(conversation.id) || UNTITLED;
  }

  #render() {
    const items = [{ id: null, label: DEFAULT_LABEL }, ...this.#conversations.map((c) => ({ id: c.id, label: this.#labelOf(c) }))];
    const focused = this.#ui.list.contains(document.activeElement) ? document.activeElement.dataset.conversationId : undefined;
    this.#ui.list.replaceChildren(...items.map(({ id, label }) => {
      const url = new URL(location.href);
      url.searchParams.set('agent', this.#agentId ?? '');
      if (id) url.searchParams.set('conversation', id);
      else url.searchParams.delete('conversation');
      const busy = this.#busy.has(id ?? '');
      const link = h('a', {
        class: 'conversation-link',
        href: url.search,
        'data-conversation-id': id ?? 'default',
        'aria-current': (id ?? null) === this.#selected ? 'page' : null,
        'data-busy': busy ? 'true' : null,
        title: label,
        onclick: (event) => {
          // A plain click switches in place; Ctrl/⌘/middle click opens the conversation in a new tab.
          if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          this.fold();
          this.dispatchEvent(new CustomEvent('select', { detail: { conversationId: id } }));
        },
      }, h('span', { class: 'conversation-label', text: label }),
      busy ? h('span', { class: 'busy-dot', 'aria-hidden': 'true' }) : null,
      busy ? h('span', { class: 'visually-hidden', text: ' (answering)' }) : null);
      return h('li', {}, link);
    }));
    if (focused !== undefined) this.#ui.list.querySelector(`[data-conversation-id="${CSS.escape(focused)}"]`)?.focus();
  }
}
