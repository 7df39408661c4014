// The chat page: wires the agent picker, the conversations, the connection, the composer and the turns together.
import { AgentPicker } from './agents.js';
import { openConnection } from './connection.js';
import { socketUrl } from '../lib/letta-sockets.js';
import { Turn } from './turns.js';
import { TurnView, noticeView } from './render.js';
import { bindComposer } from './composer.js';
import { followScroll } from './scroll.js';
import { Thread, threadKey, liveList } from './threads.js';
import { groupHistory, historyView } from './history.js';
import { ConversationList } from './conversations.js';
import { Follows } from './follow.js';

const $ = (selector) => document.querySelector(selector);
const ui = {
  threads: $('#threads'),
  scroller: $('#scroller'),
  empty: $('#empty-state'),
  emptyAgent: $('#empty-agent'),
  connection: $('#connection'),
  connectionLabel: $('#connection .connection-label'),
  reconnectNow: $('#reconnect-now'),
};

/** How many stored messages a conversation shows when opened (and per "Load earlier"). */
const HISTORY_PAGE = 50;

const params = new URLSearchParams(location.search);
const accessToken = takeAccessToken();
const picker = new AgentPicker($('#agent-select'));
const session = Math.random().toString(36).slice(2, 8);
const connection = openConnection(pageSocketUrl, `web-${session}`);
const turns = new Map();
const threads = new Map();
/** The turns of this visit in the agents' default conversations: one list across agent switches. */
const defaultLive = liveList();
/** The conversation on screen. */
let thread = null;
const scroll = followScroll(ui.scroller, ui.threads);
const apiHeaders = () => (accessToken ? { Authorization: `Bearer ${accessToken}` } : {});
const sidebar = new ConversationList({
  nav: $('#sidebar'),
  list: $('#conversation-list'),
  newChat: $('#new-chat'),
  toggle: $('#sidebar-toggle'),
  close: $('#sidebar-close'),
  backdrop: $('#sidebar-backdrop'),
}, apiHeaders);
const follows = new Follows(connection, (followed, into) => showFollowedTurn(followed, into));
const composer = bindComposer({
  form: $('#composer'),
  input: $('#composer-input'),
  send: $('#send'),
  stop: $('#stop'),
  onSend: (content) => sendMessage(content),
  onStop: () => stopAll(),
  canSend: () => connection.isLive && !busy(picker.selected?.id ?? null),
  isStreaming: () => [...turns.values()].some((t) => t.active),
});

/** The socket for the agent the picker shows, next to the page (the gateway serves both). */
function pageSocketUrl() {
  return socketUrl(new URL('.', location.href), { agentId: picker.selected?.id, key: accessToken });
}

/**
 * Browsers cannot set headers on a WebSocket, so the gateway accepts ?access_token= (protocol §1).
 * A key given in the page's URL is moved to sessionStorage and out of the address bar and history.
 */
function takeAccessToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('access_token');
  try {
    if (fromUrl) sessionStorage.setItem('letta-sockets.access-token', fromUrl);
    else return sessionStorage.getItem('letta-sockets.access-token');
  } catch { /* storage disabled: the key lives only in this page */ }
  url.searchParams.delete('access_token');
  history.replaceState(history.state, '', url);
  return fromUrl;
}

function busy(agentId) {
  return [...turns.values()].some((t) => t.active && t.agentId === agentId);
}

/** Shows a turn (the library's, or a followed one) in `into`, the conversation it belongs to. */
function showTurn(sent, view, into, hooks) {
  const turn = new Turn(sent, view, {
    changed: () => turnsChanged(),
    resume: (cursor) => connection.resume(cursor, { iterable: false }),
    approve: (from, approval, approve) => sendApproval(from, approval, approve, into),
    ...hooks,
  });
  turn.thread = into;
  turns.set(sent.id, turn);
  into.live.append(view.el);
  if (into === thread) {
    ui.empty.hidden = true;
    scroll.toBottom();
  }
  turnsChanged();
  return turn;
}

/** Starts a turn in `into` (`send` makes the library's turn) and shows it. */
function startTurn(send, display, into) {
  const sent = send();
  const agentId = sent.request.agent_id;
  const view = new TurnView({ id: sent.id, agentId, agentName: picker.nameOf(agentId ?? connection.ready?.agent_id), ...display });
  return showTurn(sent, view, into, { retry: () => startTurn(send, display, into) });
}

/** A turn started elsewhere (another tab, device or client) in a conversation this page follows. */
function showFollowedTurn(followed, into) {
  // A running turn is replayed from its start: what history already showed of it makes way, and its
  // user message (history has it; the run's stream does not) heads the followed turn.
  const past = into.pastTurn(followed.runId);
  const userText = past?.querySelector('.msg.user .bubble')?.textContent ?? null;
  past?.remove();
  // After a reconnect the follow replays a turn the page already showed: the new one takes its place.
  const shown = [...turns.values()].find((t) => t.followed && t.runId === followed.runId && t.thread === into && !t.active);
  const agentId = followed.agentId ?? into.agentId;
  const view = new TurnView({ id: followed.id, agentId, agentName: picker.nameOf(agentId), userText, followed: true });
  view.setRunId(followed.runId);
  const turn = showTurn(followed, view, into, { retry: null });
  turn.followed = true;
  if (shown) {
    shown.view.el.replaceWith(view.el);
    turns.delete(shown.id);
  }
}

function sendMessage(content) {
  // agent_id on every message: the socket stays open when the picker changes (protocol §2).
  const into = thread;
  const agentId = into.agentId ?? undefined;
  const conversationId = into.conversationId ?? undefined;
  if (into.firstUserText == null) {
    into.firstUserText = content;
    sidebar.nameUntitled(into.conversationId, content);
  }
  startTurn(() => connection.send(content, { agentId, conversationId, iterable: false }), { userText: content }, into);
}

function sendApproval(from, approval, approve, into) {
  if (!connection.isLive) return false;
  const name = approval.name ?? 'the tool';
  startTurn(
    () => connection.approve(approval.tool_call_id, approve, { agentId: from.agentId ?? undefined, iterable: false }),
    { note: approve ? `You approved ${name}.` : `You denied ${name}.` }, into);
  return true;
}

function stopAll() {
  for (const turn of turns.values()) turn.stop();
  composer.refresh();
}

/** A turn started or ended: the composer's buttons, and which conversations are answering. */
function turnsChanged() {
  composer.refresh();
  for (const each of threads.values()) {
    sidebar.setBusy(each.conversationId, each.agentId === thread?.agentId && [...turns.values()].some((t) => t.active && t.thread === each));
  }
}

function notice(text, kind, into = thread) {
  if (into === thread) ui.empty.hidden = true;
  (into?.live ?? ui.threads).append(noticeView(text, kind));
}

/** The thread of an agent's conversation (null: its default conversation), made on first use. */
function threadFor(agentId, conversationId) {
  const key = threadKey(agentId, conversationId);
  let found = threads.get(key);
  if (!found) {
    found = new Thread({ agentId, conversationId, onEarlier: (t) => loadHistory(t, { older: true }), live: conversationId ? undefined : defaultLive });
    threads.set(key, found);
    ui.threads.append(found.el);
  }
  return found;
}

/** Puts a conversation on screen: its own turns, its history (asked for once), followed from now on. */
function showThread(next) {
  if (thread !== next) {
    thread?.hide();
    thread = next;
    thread.show();
    keepConversationInUrl(thread.conversationId);
    if (sidebar.enabled) sidebar.select(thread.conversationId);
  }
  ui.empty.hidden = !thread.isEmpty;
  scroll.toBottom();
  turnsChanged();
  if (connection.isLive) openThread(thread);
}

/** History first, then follow: a turn running there is replayed by the follow from its start. */
async function openThread(shown) {
  if (shown.history.state === 'none' || shown.history.state === 'failed') await loadHistory(shown);
  else await shown.history.loading;
  if (shown === thread && connection.isLive) follows.follow(shown);
}

/** Asks for the stored messages of a conversation: the newest page, or (`older`) the page before. */
function loadHistory(into, { older = false } = {}) {
  if (into.history.state === 'loading') return into.history.loading;
  if (older && !into.history.before) return Promise.resolve();
  into.history.state = 'loading';
  into.earlier.disabled = true;
  const request = connection.request({
    type: 'history',
    ...(into.agentId ? { agent_id: into.agentId } : {}),
    ...(into.conversationId ? { conversation_id: into.conversationId } : {}),
    limit: HISTORY_PAGE,
    ...(older ? { before: into.history.before } : {}),
  }, { iterable: false });
  into.history.loading = request.result.then((answer) => {
    into.earlier.disabled = false;
    if (answer.type !== 'history') {
      into.history.state = 'failed';
      // A server that keeps no history (the App Server) has nothing to show; other refusals are said.
      if (answer.code !== 'unsupported_frame' && !answer.client) notice(`Could not load the history: ${answer.message} (${answer.code})`, 'error', into);
      return;
    }
    into.history.state = 'loaded';
    const agentName = picker.nameOf(into.agentId ?? connection.ready?.agent_id);
    const groups = groupHistory(Array.isArray(answer.messages) ? answer.messages : [])
      // A turn of this visit is shown already (its run finished, or is running, before the history came).
      .filter((g) => !g.runId || ![...turns.values()].some((t) => t.thread === into && t.runId === g.runId));
    const height = ui.scroller.scrollHeight;
    into.addPast(groups.map((g) => historyView(g, { agentId: into.agentId, agentName })), { older });
    into.setHasMore(answer.has_more, answer.before);
    const first = groups.find((g) => g.userText)?.userText;
    if (!older && first && into.firstUserText == null) {
      into.firstUserText = first;
      sidebar.nameUntitled(into.conversationId, first);
    }
    if (into === thread) {
      ui.empty.hidden = !into.isEmpty;
      // Earlier messages go above what the reader is looking at, which stays put.
      if (older) ui.scroller.scrollTop += ui.scroller.scrollHeight - height;
      else scroll.toBottom();
    }
  });
  return into.history.loading;
}

/** Reload returns to the conversation shown: ?conversation= names it (absent: the default one). */
function keepConversationInUrl(conversationId) {
  const url = new URL(location.href);
  if (conversationId) {
    if (thread?.agentId && !url.searchParams.has('agent')) url.searchParams.set('agent', thread.agentId);
    url.searchParams.set('conversation', conversationId);
  } else {
    url.searchParams.delete('conversation');
  }
  history.replaceState(history.state, '', url);
}

async function loadConversations(agentId) {
  try {
    await sidebar.load(agentId);
  } catch (error) {
    notice(`Could not list conversations: ${error.message}`, 'error');
  }
  if (thread) sidebar.select(thread.conversationId);
}

sidebar.addEventListener('select', ({ detail: { conversationId } }) => {
  showThread(threadFor(thread?.agentId ?? picker.selected?.id ?? null, conversationId));
  composer.focus();
});

sidebar.addEventListener('new', async () => {
  const agentId = thread?.agentId ?? picker.selected?.id;
  if (!agentId) return;
  try {
    const created = await sidebar.create(agentId);
    sidebar.fold();
    const next = threadFor(agentId, created.id);
    // A conversation just made has nothing stored yet.
    next.history.state = 'loaded';
    showThread(next);
    composer.focus();
  } catch (error) {
    notice(`Could not start a new chat: ${error.message}`, 'error');
  }
});

connection.addEventListener('ready', ({ detail: ready }) => {
  composer.setLimit(ready.limits?.max_content_chars);
  const conversations = ready.conversations === true;
  if (conversations !== sidebar.enabled) {
    sidebar.enable(conversations);
    if (conversations) loadConversations(thread?.agentId ?? null);
  }
  // A conversation named in the URL that this server cannot have: its agent's default one instead.
  if (!conversations && thread?.conversationId) showThread(threadFor(thread.agentId, null));
  // After this event the library re-attaches the turns the last socket cut off; the follow goes after
  // them, so it never takes one of this page's own runs for another client's.
  setTimeout(() => { if (thread && connection.isLive) openThread(thread); }, 0);
});
connection.addEventListener('notice', ({ detail: frame }) => {
  if (Follows.isFollowed(frame)) return;
  notice(`${frame.message} (${frame.code})`, 'error');
});
connection.addEventListener('shutdown', ({ detail: frame }) => {
  // The library keeps the cursors and resumes those turns on the next socket.
  const handedOver = Array.isArray(frame.resume) && frame.resume.length > 0;
  notice(handedOver
    ? 'The server is restarting; the page reconnects and picks up the answers in progress.'
    : 'The server is shutting down; the page reconnects when it is back.', 'info');
});

const CONNECTION_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };
connection.addEventListener('state', ({ detail: { state, retryInMs } }) => {
  ui.connection.dataset.state = state;
  ui.connectionLabel.textContent = CONNECTION_TEXT[state] ?? state;
  ui.connection.title = retryInMs != null ? `Next attempt in ${Math.ceil(retryInMs / 1000)} s` : '';
  ui.reconnectNow.hidden = state !== 'reconnecting' || retryInMs == null || retryInMs < 2000;
  composer.refresh();
});
ui.reconnectNow.addEventListener('click', () => connection.reconnectNow());

picker.addEventListener('change', ({ detail: agent }) => {
  showAgent(agent);
  showThread(threadFor(agent?.id ?? null, null));
  if (sidebar.enabled) loadConversations(agent?.id ?? null);
  composer.refresh();
  composer.focus();
});

function showAgent(agent) {
  const name = agent?.name ?? 'your agent';
  ui.emptyAgent.textContent = name;
  composer.setPlaceholder(`Message ${name.split(' — ')[0]}…`);
}

for (const chip of document.querySelectorAll('[data-suggestion]')) {
  chip.addEventListener('click', () => composer.submit(chip.dataset.suggestion));
}

async function main() {
  try {
    await picker.load(params.get('agent'), accessToken ? { Authorization: `Bearer ${accessToken}` } : {});
  } catch (error) {
    notice(`Could not list agents: ${error.message} Using the server's default agent.`, 'error');
  }
  showAgent(picker.selected);
  showThread(threadFor(picker.selected?.id ?? null, params.get('conversation') || null));
  connection.open();
  composer.focus();
}

main();
