// The chat page: wires the agent picker, the connection, the composer and the turns together.
import { AgentPicker } from './agents.js';
import { openConnection } from './connection.js';
import { socketUrl } from '../lib/letta-sockets.js';
import { Turn } from './turns.js';
import { TurnView, noticeView } from './render.js';
import { bindComposer } from './composer.js';
import { followScroll } from './scroll.js';

const $ = (selector) => document.querySelector(selector);
const ui = {
  conversation: $('#conversation'),
  scroller: $('#scroller'),
  empty: $('#empty-state'),
  emptyAgent: $('#empty-agent'),
  connection: $('#connection'),
  connectionLabel: $('#connection .connection-label'),
  reconnectNow: $('#reconnect-now'),
};

const params = new URLSearchParams(location.search);
const accessToken = takeAccessToken();
const picker = new AgentPicker($('#agent-select'));
const session = Math.random().toString(36).slice(2, 8);
const connection = openConnection(pageSocketUrl, `web-${session}`);
const turns = new Map();
const scroll = followScroll(ui.scroller, ui.conversation);
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

/** Starts a turn (`send` makes the library's turn) and shows it. */
function startTurn(send, display) {
  const sent = send();
  const agentId = sent.request.agent_id;
  const view = new TurnView({ id: sent.id, agentId, agentName: picker.nameOf(agentId ?? connection.ready?.agent_id), ...display });
  const turn = new Turn(sent, view, {
    changed: () => composer.refresh(),
    retry: () => startTurn(send, display),
    resume: (cursor) => connection.resume(cursor, { iterable: false }),
    approve: (from, approval, approve) => sendApproval(from, approval, approve),
  });
  turns.set(sent.id, turn);
  ui.empty.hidden = true;
  ui.conversation.append(view.el);
  scroll.toBottom();
  composer.refresh();
  return turn;
}

function sendMessage(content) {
  // agent_id on every message: the socket stays open when the picker changes (protocol §2).
  const agentId = picker.selected?.id;
  startTurn(() => connection.send(content, { agentId, iterable: false }), { userText: content });
}

function sendApproval(from, approval, approve) {
  if (!connection.isLive) return false;
  const name = approval.name ?? 'the tool';
  startTurn(
    () => connection.approve(approval.tool_call_id, approve, { agentId: from.agentId ?? undefined, iterable: false }),
    { note: approve ? `You approved ${name}.` : `You denied ${name}.` });
  return true;
}

function stopAll() {
  for (const turn of turns.values()) turn.stop();
  composer.refresh();
}

function notice(text, kind) {
  ui.empty.hidden = true;
  ui.conversation.append(noticeView(text, kind));
}

connection.addEventListener('ready', ({ detail: ready }) => composer.setLimit(ready.limits?.max_content_chars));
connection.addEventListener('notice', ({ detail: frame }) => notice(`${frame.message} (${frame.code})`, 'error'));
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
  connection.open();
  composer.focus();
}

main();
