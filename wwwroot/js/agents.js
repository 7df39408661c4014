// The agent picker: filled from GET /api/agents; `?agent=` in the URL wins, then the last choice
// (localStorage), then the first agent.
import { h } from './dom.js';

const STORAGE_KEY = 'letta-sockets.agent';

export class AgentPicker extends EventTarget {
  #select;
  #agents = [];

  constructor(select) {
    super();
    this.#select = select;
    select.addEventListener('change', () => {
      remember(select.value);
      keepUrlInStep(select.value);
      this.dispatchEvent(new CustomEvent('change', { detail: this.selected }));
    });
  }

  get agents() { return this.#agents; }

  /** The selected agent ({ id, name }) or null when none is known (the server's default is used). */
  get selected() {
    return this.#agents.find((a) => a.id === this.#select.value) ?? null;
  }

  nameOf(id) {
    return this.#agents.find((a) => a.id === id)?.name ?? id ?? 'Agent';
  }

  /** Loads the list; throws with a readable message when the server cannot list agents. */
  async load(requested, headers = {}) {
    try {
      const response = await fetch('api/agents', { headers: { Accept: 'application/json', ...headers } });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new Error(body?.error?.message ?? `The server answered HTTP ${response.status}.`);
      this.#agents = Array.isArray(body) ? body.filter((a) => a && typeof a.id === 'string') : [];
    } finally {
      // A URL-chosen agent that the list does not show (or a list that failed) still works.
      if (requested && !this.#agents.some((a) => a.id === requested)) {
        this.#agents.push({ id: requested, name: requested });
      }
      this.#fill(requested);
    }
  }

  #fill(requested) {
    const stored = recall();
    const ids = this.#agents.map((a) => a.id);
    const chosen = [requested, stored].find((id) => id && ids.includes(id)) ?? ids[0];
    this.#select.replaceChildren(...this.#agents.map((a) => h('option', { value: a.id, text: a.name || a.id })));
    if (this.#agents.length === 0) {
      this.#select.append(h('option', { value: '', text: 'Default agent' }));
    }
    this.#select.value = chosen ?? '';
    this.#select.disabled = this.#agents.length === 0;
    if (chosen) remember(chosen);
  }
}

/** A page opened with ?agent= keeps naming the agent in use, so a reload does not switch back. */
function keepUrlInStep(id) {
  const url = new URL(location.href);
  if (!url.searchParams.has('agent')) return;
  url.searchParams.set('agent', id);
  history.replaceState(history.state, '', url);
}

function remember(id) {
  try { localStorage.setItem(STORAGE_KEY, id); } catch { /* private mode: not remembered */ }
}

function recall() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}
