// A conversation's stored messages (the gateway's `history` frame, docs/PROTOCOL.md "Conversations
// and history") as turns on screen. The messages are shaped like the frames of a live turn, plus
// `user_message`, so they go through the same TurnView a live turn fills.
import { TurnView } from './render.js';

/**
 * Groups the messages (oldest first) into turns: a user message opens one, and so does a new run
 * without one (the turn an approval started, or a page that begins mid-turn).
 * @returns {{ runId: string | null, userText: string | null, messages: object[] }[]}
 */
export function groupHistory(messages) {
  const groups = [];
  let group = null;
  for (const message of messages) {
    if (!message || typeof message.type !== 'string') continue;
    const runId = typeof message.run_id === 'string' ? message.run_id : null;
    if (message.type === 'user_message') {
      group = { runId, userText: typeof message.content === 'string' ? message.content : '', messages: [] };
      groups.push(group);
      continue;
    }
    if (!group || (runId && group.runId && runId !== group.runId)) {
      group = { runId, userText: null, messages: [] };
      groups.push(group);
    }
    group.runId ??= runId;
    group.messages.push(message);
  }
  return groups;
}

/** One stored turn, rendered and finished: reasoning, tool and approval cards (already answered), Markdown. */
export function historyView(group, { agentId, agentName }) {
  const view = new TurnView({ id: `history:${group.runId ?? 'unknown'}`, agentId, agentName, userText: group.userText });
  view.el.classList.add('past');
  if (group.runId) view.setRunId(group.runId);
  const texts = new Map();
  const reasoning = new Map();
  const tools = new Map();
  for (const message of group.messages) {
    switch (message.type) {
      case 'reasoning': {
        const key = message.message_id ?? 'reasoning';
        const text = (reasoning.get(key) ?? '') + (message.content ?? '');
        reasoning.set(key, text);
        view.reasoning(key, text, message.hidden === true);
        break;
      }
      case 'chunk': {
        const key = message.message_id ?? 'text';
        const text = (texts.get(key) ?? '') + (message.content ?? '');
        texts.set(key, text);
        view.text(key, text);
        break;
      }
      case 'tool_call': {
        const tool = tools.get(message.tool_call_id) ?? { name: null, args: '' };
        if (message.name) tool.name = message.name;
        tool.args += message.arguments ?? '';
        tools.set(message.tool_call_id, tool);
        view.toolCall(message.tool_call_id, tool.name, tool.args);
        break;
      }
      case 'tool_result':
        view.toolResult(message);
        break;
      case 'approval_request':
        view.approval(message, null);
        break;
      default:
        break;
    }
  }
  // A call whose result is not stored (the run stopped there) is not running any more.
  for (const card of view.answer.querySelectorAll('.tool-card[data-status="running"]')) {
    card.dataset.status = 'unknown';
    card.querySelector('.tool-state').textContent = 'No result';
  }
  view.setState('history');
  view.finish({ state: 'history' });
  return view;
}
