// The chat page: wires the agent picker, the connection, the composer and the turns together.
import { AgentPicker } from './agents.js';
import { Connection } from './connection.js';
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
const connection = new Connection(socketUrl);
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

const session = Math.random().toString(36).slice(2, 8);
let requestCount = 0;
const nextId = () => `web-${session}-${(++requestCount).toString(36)}`;

function socketUrl() {
  const agent = picker.selected?.id;
  const url = new URL(agent ? `ws/${encodeURIComponent(agent)}` : 'ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = accessToken ? `?access_token=${encodeURIComponent(accessToken)}` : '';
  url.hash = '';
  return url.href;
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

/** Starts a turn for `request` (a message or approve frame without id) and shows it. */
function startTurn(request, display) {
  const { resumable: _, ...rest } = request;
  // Where the server offers it, every turn runs as a Letta background run: a dropped socket or a
  // server restart then costs the answer nothing, the page resumes it (protocol: resume).
  const frame = { ...rest, id: nextId(), ...(connection.ready?.resumable === true ? { resumable: true } : {}) };
  const view = new TurnView({ id: frame.id, agentId: frame.agent_id, agentName: picker.nameOf(frame.agent_id ?? connection.ready?.agent_id), ...display });
  const turn = new Turn(frame, view, {
    changed: () => composer.refresh(),
    retry: (failed) => startTurn(failed.request, display),
    resume: (cut) => resumeTurn(cut),
    approve: (from, approval, approve) => sendApproval(from, approval, approve),
  });
  turns.set(frame.id, turn);
  ui.empty.hidden = true;
  ui.conversation.append(view.el);
  scroll.toBottom();
  if (!connection.send(frame)) {
    turn.apply({ type: 'error', id: frame.id, code: 'offline', message: 'Not connected to the server.', retryable: true });
  }
  composer.refresh();
  return turn;
}

function sendMessage(content) {
  const agentId = picker.selected?.id;
  // agent_id on every message: the socket stays open when the picker changes (protocol §2).
  const request = agentId ? { type: 'message', content, agent_id: agentId } : { type: 'message', content };
  startTurn(request, { userText: content });
}

function sendApproval(from, approval, approve) {
  if (!connection.isLive) return false;
  const name = approval.name ?? 'the tool';
  startTurn(
    { type: 'approve', tool_call_id: approval.tool_call_id, approve, ...(from.agentId ? { agent_id: from.agentId } : {}) },
    { note: approve ? `You approved ${name}.` : `You denied ${name}.` });
  return true;
}

/** Re-attaches a cut-off turn on the live socket; it waits for the next one otherwise. */
function resumeTurn(turn) {
  if (!connection.isLive) return;
  const frame = turn.resume();
  if (frame && !connection.send(frame)) turn.interrupt();
}

function stopAll() {
  for (const turn of turns.values()) {
    if (turn.stop()) connection.send({ type: 'cancel', id: turn.id });
  }
  composer.refresh();
}

function notice(text, kind) {
  ui.empty.hidden = true;
  ui.conversation.append(noticeView(text, kind));
}

connection.addEventListener('frame', ({ detail: frame }) => {
  const turn = typeof frame.id === 'string' ? turns.get(frame.id) : undefined;
  if (turn) {
    turn.apply(frame);
  } else if (frame.type === 'ready') {
    composer.setLimit(frame.limits?.max_content_chars);
    // A new socket (reconnect, server restart): pick up every answer the old one cut off.
    for (const cut of turns.values()) resumeTurn(cut);
  } else if (frame.type === 'error') {
    notice(`${frame.message} (${frame.code})`, 'error');
  } else if (frame.type === 'shutdown') {
    const cursors = Array.isArray(frame.resume) ? frame.resume : [];
    for (const cursor of cursors) turns.get(cursor.id)?.rememberResumePoint(cursor);
    notice(cursors.length > 0
      ? 'The server is restarting; the page reconnects and picks up the answers in progress.'
      : 'The server is shutting down; the page reconnects when it is back.', 'info');
  }
});

connection.addEventListener('lost', () => {
  for (const turn of turns.values()) turn.interrupt();
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
  connection.start();
  composer.focus();
}

main();
