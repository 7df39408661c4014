// Letta's own TypeScript SDK (@letta-ai/letta-client, pinned in package.json) against the simulator: every call a
// streaming client makes, each answer checked field by field against the SDK's declared types (its .d.ts), not
// just for a 2xx. Run by SdkConformanceTests; prints one line `RESULT {"passed":[…],"failed":[{name,error}]}`.
//
// Environment: LETTA_CLIENT_DIR (where eng/install-letta-client.sh installed the SDK), LETTA_BASE_URL,
// LETTA_API_KEY, and the agents the test registered: QUICK_AGENT (reasoning + a short answer, no delays),
// TOOL_AGENT (reasoning, roll_dice → "7", answer), SLOW_AGENT (a few words, then a long pause).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';

const env = (name) => process.env[name] ?? fail(`${name} is not set`);
const sdkDir = env('LETTA_CLIENT_DIR');
const baseURL = env('LETTA_BASE_URL');
const apiKey = env('LETTA_API_KEY');
const QUICK = env('QUICK_AGENT');
const TOOL = env('TOOL_AGENT');
const SLOW = env('SLOW_AGENT');
const UNKNOWN = 'agent-99999999-9999-4999-8999-999999999999';
const QUICK_TEXT = 'Hello from the simulator.';
const QUICK_REASONING = 'The user said hello.';

const sdk = await import(pathToFileURL(path.join(sdkDir, 'node_modules/@letta-ai/letta-client/index.mjs')).href);
const { Letta, APIError, NotFoundError, ConflictError, UnprocessableEntityError } = sdk;
// No retries: the SDK retries 409 and 5xx by default, which would hide what the simulator answered.
const client = new Letta({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });

// ---------------------------------------------------------------------------------------------------------------
// Shape checks, written from the SDK's interfaces (resources/agents/messages.d.ts, runs, conversations, top-level).

function fail(message) {
  throw new Error(message);
}

function ok(condition, message) {
  if (!condition) fail(message);
}

function eq(actual, expected, what) {
  if (actual !== expected) fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** spec: { field: 'string|null' | ['a','b'] (allowed values) | RegExp | (value) => void }; a leading '?' = optional. */
function shape(value, spec, where) {
  ok(kind(value) === 'object', `${where}: expected an object, got ${kind(value)}`);
  for (const [key, rule] of Object.entries(spec)) {
    const optional = key.startsWith('?');
    const name = optional ? key.slice(1) : key;
    const v = value[name];
    if (v === undefined) {
      ok(optional, `${where}.${name} is missing`);
      continue;
    }
    if (typeof rule === 'string') {
      ok(rule.split('|').includes(kind(v)), `${where}.${name}: expected ${rule}, got ${kind(v)} ${JSON.stringify(v)}`);
    } else if (Array.isArray(rule)) {
      ok(rule.includes(v), `${where}.${name}: expected one of ${rule.join(', ')}, got ${JSON.stringify(v)}`);
    } else if (rule instanceof RegExp) {
      ok(typeof v === 'string' && rule.test(v), `${where}.${name}: ${JSON.stringify(v)} does not match ${rule}`);
    } else {
      rule(v, `${where}.${name}`);
    }
  }
  return value;
}

const envelope = {
  id: /^message-[0-9a-f-]{36}$/,
  date: DATE,
  '?name': 'string|null',
  '?otid': 'string|null',
  '?sender_id': 'string|null',
  '?step_id': 'string|null',
  '?is_err': 'boolean|null',
  '?seq_id': 'number|null',
  '?run_id': 'string|null',
};
const toolCall = (v, where) =>
  shape(v, { '?name': 'string', '?arguments': 'string', '?tool_call_id': 'string' }, where);
const toolCalls = (v, where) =>
  kind(v) === 'array' ? v.forEach((c, i) => shape(c, { name: 'string', arguments: 'string', tool_call_id: 'string' }, `${where}[${i}]`))
  : kind(v) === 'object' ? toolCall(v, where)
  : ok(v === null, `${where}: expected an array, an object or null`);

const messageSpecs = {
  user_message: { content: 'string|array' },
  system_message: { content: 'string' },
  assistant_message: { content: 'string|array' },
  reasoning_message: { reasoning: 'string', '?source': ['reasoner_model', 'non_reasoner_model'], '?signature': 'string|null' },
  hidden_reasoning_message: { state: ['redacted', 'omitted'], '?hidden_reasoning': 'string|null' },
  tool_call_message: { tool_call: toolCall, '?tool_calls': toolCalls },
  approval_request_message: { tool_call: toolCall, '?tool_calls': toolCalls },
  tool_return_message: {
    tool_return: 'string', status: ['success', 'error'], tool_call_id: 'string',
    '?stdout': 'array|null', '?stderr': 'array|null', '?tool_returns': 'array|null',
  },
  approval_response_message: { '?approvals': 'array|null', '?approve': 'boolean|null', '?approval_request_id': 'string|null' },
};
const STOP_REASONS = ['end_turn', 'error', 'llm_api_error', 'invalid_llm_response', 'invalid_tool_call', 'max_steps',
  'max_tokens_exceeded', 'no_tool_call', 'tool_rule', 'cancelled', 'insufficient_credits', 'requires_approval',
  'context_window_overflow_in_system_prompt'];
const usageSpec = {
  '?message_type': ['usage_statistics'], '?completion_tokens': 'number', '?prompt_tokens': 'number', '?total_tokens': 'number',
  '?step_count': 'number', '?run_ids': 'array|null', '?cached_input_tokens': 'number|null', '?cache_write_tokens': 'number|null',
  '?reasoning_tokens': 'number|null', '?context_tokens': 'number|null',
};

/** A LettaMessage (agents.messages.Message) as the SDK types it. */
function letta(m, where) {
  ok(kind(m) === 'object', `${where}: not an object`);
  const spec = messageSpecs[m.message_type] ?? fail(`${where}: unexpected message_type ${m.message_type}`);
  return shape(m, { ...envelope, message_type: 'string', ...spec }, `${where} (${m.message_type})`);
}

/** One item of a Stream<LettaStreamingResponse>. */
function streamed(e, where) {
  switch (e.message_type) {
    case 'ping':
      return shape(e, { id: /^ping-/, date: DATE, '?run_id': /^run-/, '?seq_id': 'number|null' }, where);
    case 'stop_reason':
      return shape(e, { stop_reason: STOP_REASONS }, where);
    case 'usage_statistics':
      return shape(e, usageSpec, where);
    default:
      return letta(e, where);
  }
}

const runSpec = {
  id: /^run-[0-9a-f-]{36}$/, agent_id: /^agent-/, '?background': 'boolean|null', '?completed_at': 'string|null',
  '?conversation_id': 'string|null', '?created_at': DATE, '?metadata': 'object|null', '?request_config': 'object|null',
  '?status': ['created', 'running', 'completed', 'failed', 'cancelled'], '?stop_reason': 'string|null',
  '?total_duration_ns': 'number|null', '?ttft_ns': 'number|null', '?base_template_id': 'string|null',
  '?callback_url': 'string|null', '?callback_sent_at': 'string|null', '?callback_status_code': 'number|null',
  '?callback_error': 'string|null',
};
const conversationSpec = {
  id: /^conv-[0-9a-f-]{36}$/, agent_id: /^agent-/, '?created_at': 'string|null', '?updated_at': 'string|null',
  '?summary': 'string|null', '?in_context_message_ids': 'array|null', '?last_message_at': 'string|null',
  '?model': 'string|null', '?created_by_id': 'string|null', '?last_updated_by_id': 'string|null',
};
const agentSpec = {
  id: /^agent-/, name: 'string', agent_type: ['memgpt_agent', 'memgpt_v2_agent', 'letta_v1_agent', 'react_agent',
    'workflow_agent', 'split_thread_agent', 'sleeptime_agent', 'voice_convo_agent', 'voice_sleeptime_agent'],
  blocks: 'array', sources: 'array', system: 'string', tags: 'array', tools: 'array',
  llm_config: (v, where) => shape(v, { context_window: 'number', model: 'string', model_endpoint_type: 'string' }, where),
  memory: (v, where) => shape(v, { blocks: 'array' }, where),
  '?description': 'string|null', '?created_at': 'string|null', '?metadata': 'object|null',
};

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

/** A send body with one user message and a fresh otid (the client's idempotency key). */
const userMessage = (content) => ({ messages: [{ role: 'user', content, otid: randomUUID() }] });
const otidOf = (body) => body.messages[0].otid;

async function collect(stream, where) {
  const events = [];
  for await (const e of stream) events.push(streamed(e, `${where}[${events.length}]`));
  return events;
}

/** Reads until `until(event)` holds, then stops (the SDK aborts the request). */
async function readUntil(stream, until, where) {
  const events = [];
  for await (const e of stream) {
    events.push(streamed(e, `${where}[${events.length}]`));
    if (until(e)) break;
  }
  return events;
}

const text = (events, type, field) => events.filter((e) => e.message_type === type).map((e) => e[field]).join('');
const types = (events) => events.map((e) => e.message_type).join(',');

function endsNormally(events, where) {
  eq(types(events.slice(-2)), 'stop_reason,usage_statistics', `${where}: the stream's ending`);
  eq(events.at(-2).stop_reason, 'end_turn', `${where}: stop_reason`);
}

async function rejects(promise, type, status, where) {
  try {
    await promise;
  } catch (e) {
    ok(e instanceof type, `${where}: expected ${type.name}, got ${e?.constructor?.name}: ${e?.message}`);
    eq(e.status, status, `${where}: status`);
    ok(kind(e.error) === 'object', `${where}: the SDK parsed no JSON error body`);
    return e;
  }
  fail(`${where}: expected ${type.name} (${status}), the call succeeded`);
}

async function simControl(route, body) {
  const response = await fetch(new URL(route, baseURL), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  eq(response.status, 201, `POST ${route}`);
}

/** Starts a background turn of SLOW (agent route, or a conversation) and returns its stream after the initial ping. */
async function startSlow(conversationId, extra = {}) {
  const body = { ...userMessage('take your time'), stream_tokens: true, background: true, ...extra };
  const stream = conversationId
    ? await client.conversations.messages.create(conversationId, body)
    : await client.agents.messages.create(SLOW, { ...body, streaming: true });
  const iterator = stream[Symbol.asyncIterator]();
  const first = (await iterator.next()).value;
  streamed(first, 'slow turn, first event');
  eq(first.message_type, 'ping', 'slow turn, first event');
  ok(/^run-/.test(first.run_id), 'the initial ping carries the run id');
  return { runId: first.run_id, otid: otidOf(body), iterator, stream };
}

/** The rest of a stream, read from an iterator that already gave some events. */
async function rest(iterator, where) {
  const events = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    events.push(streamed(next.value, `${where}[${events.length}]`));
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------
// The calls, in the order a client makes them. Later checks reuse what earlier ones stored.

const checks = [];
const check = (name, fn) => checks.push({ name, fn });
const state = {};

check('client.health()', async () => {
  const health = await client.health();
  shape(health, { status: 'string', version: 'string' }, 'HealthResponse');
  eq(health.status, 'ok', 'status');
});

check('client.agents.list()', async () => {
  const page = await client.agents.list();
  ok(page.items.length >= 3, `${page.items.length} agents`);
  page.items.forEach((a, i) => shape(a, agentSpec, `AgentState[${i}]`));
  ok(page.items.some((a) => a.id === QUICK), 'the test agent is listed');
  // Auto-pagination follows `after` with the last id: every agent once, then it stops.
  const all = [];
  for await (const agent of client.agents.list({ limit: 2 })) all.push(agent.id);
  eq(all.length, page.items.length, 'agents seen paging by 2');
  eq(new Set(all).size, all.length, 'no agent twice');
});

check('client.agents.retrieve()', async () => {
  const agent = shape(await client.agents.retrieve(QUICK), agentSpec, 'AgentState');
  eq(agent.id, QUICK, 'id');
});

check('client.agents.messages.create() streaming:false → LettaResponse', async () => {
  const response = await client.agents.messages.create(QUICK, userMessage('hello'));
  shape(response, { messages: 'array', stop_reason: 'object', usage: 'object' }, 'LettaResponse');
  response.messages.forEach((m, i) => letta(m, `LettaResponse.messages[${i}]`));
  eq(text(response.messages, 'assistant_message', 'content'), QUICK_TEXT, 'assistant content');
  eq(text(response.messages, 'reasoning_message', 'reasoning'), QUICK_REASONING, 'reasoning');
  shape(response.stop_reason, { stop_reason: STOP_REASONS }, 'LettaResponse.stop_reason');
  eq(response.stop_reason.stop_reason, 'end_turn', 'stop_reason');
  shape(response.usage, usageSpec, 'LettaResponse.usage');
  ok(response.usage.total_tokens > 0, 'usage counts tokens');
});

check('client.agents.messages.create() streaming, token streaming', async () => {
  const input = userMessage('hello, token by token');
  const events = await collect(await client.agents.messages.create(QUICK, { ...input, streaming: true, stream_tokens: true }), 'token stream');
  eq(events[0].message_type, 'ping', 'first event');
  const runId = events[0].run_id;
  const assistant = events.filter((e) => e.message_type === 'assistant_message');
  ok(assistant.length > 1, `token mode sends deltas (${assistant.length} assistant events)`);
  eq(new Set(assistant.map((e) => e.id)).size, 1, 'the deltas share one id');
  eq(text(events, 'assistant_message', 'content'), QUICK_TEXT, 'assistant deltas joined');
  eq(text(events, 'reasoning_message', 'reasoning'), QUICK_REASONING, 'reasoning deltas joined');
  ok(events.filter((e) => e.message_type !== 'stop_reason' && e.message_type !== 'usage_statistics').every((e) => e.run_id === runId), 'run_id on every message');
  endsNormally(events, 'token stream');
  state.tokenRun = { runId, otid: otidOf(input) };
});

check('client.agents.messages.create() streaming, step streaming (tool call)', async () => {
  const events = await collect(await client.agents.messages.create(TOOL, { ...userMessage('roll a d20'), streaming: true, stream_tokens: false }), 'step stream');
  const call = events.find((e) => e.message_type === 'tool_call_message') ?? fail('no tool_call_message');
  ok(Array.isArray(call.tool_calls), 'step mode: tool_calls is an array');
  eq(call.tool_call.name, 'roll_dice', 'tool_call.name');
  eq(call.tool_call.arguments, '{"num_sides": 20}', 'tool_call.arguments');
  const ret = events.find((e) => e.message_type === 'tool_return_message') ?? fail('no tool_return_message');
  eq(ret.tool_call_id, call.tool_call.tool_call_id, 'the return answers the call');
  eq(ret.tool_return, '7', 'tool_return');
  eq(events.filter((e) => e.message_type === 'assistant_message').length, 1, 'step mode: one whole assistant message');
  eq(text(events, 'assistant_message', 'content'), 'You rolled a 7.', 'assistant content');
  endsNormally(events, 'step stream');
});

check('client.agents.messages.create() streaming, token streaming (tool call deltas)', async () => {
  const events = await collect(await client.agents.messages.create(TOOL, { ...userMessage('roll a d20'), streaming: true, stream_tokens: true }), 'tool token stream');
  const calls = events.filter((e) => e.message_type === 'tool_call_message');
  ok(calls.length > 1, 'token mode: the call arrives in deltas');
  eq(calls[0].tool_call.name, 'roll_dice', 'the first delta names the tool');
  eq(calls.map((c) => c.tool_call.arguments ?? '').join(''), '{"num_sides": 20}', 'argument deltas joined');
  ok(calls.every((c) => !Array.isArray(c.tool_calls)), 'token mode: tool_calls is the delta object');
  endsNormally(events, 'tool token stream');
});

check('client.agents.messages.stream() (deprecated /messages/stream)', async () => {
  const events = await collect(await client.agents.messages.stream(QUICK, { ...userMessage('hello again'), stream_tokens: true }), 'stream route');
  eq(text(events, 'assistant_message', 'content'), QUICK_TEXT, 'assistant content');
  endsNormally(events, 'stream route');
});

check('client.agents.messages.create() background + client.runs.messages.stream() from a seq', async () => {
  const events = await collect(await client.agents.messages.create(QUICK, { ...userMessage('in the background'), streaming: true, stream_tokens: true, background: true }), 'background');
  const seqs = events.map((e) => e.seq_id).filter((s) => typeof s === 'number');
  eq(seqs[0], 1, 'the initial ping is seq 1');
  ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'seq ids increase');
  const runId = events[0].run_id;
  const from = seqs[2];
  const again = await collect(await client.runs.messages.stream(runId, { starting_after: from }), 'replay');
  const replayed = again.map((e) => e.seq_id).filter((s) => typeof s === 'number');
  eq(JSON.stringify(replayed), JSON.stringify(seqs.filter((s) => s > from)), `seq ids replayed after ${from}`);
  eq(text(again, 'assistant_message', 'content'), text(events.filter((e) => !(e.seq_id <= from)), 'assistant_message', 'content'), 'replayed text');
  endsNormally(again, 'replay');
});

check('re-attach to a live background run (client.runs.messages.stream) + client.agents.messages.cancel()', async () => {
  const slow = await startSlow(null);
  const seen = [(await slow.iterator.next()).value];
  await slow.iterator.return(); // the client goes away; the background run does not
  const attached = await client.runs.messages.stream(slow.runId, { starting_after: 1 });
  const iterator = attached[Symbol.asyncIterator]();
  const first = streamed((await iterator.next()).value, 'attached[0]');
  eq(first.seq_id, seen[0].seq_id, 'the re-attached stream continues at seq 2');
  eq(first.content, seen[0].content, 'with the same event');
  const running = shape(await client.runs.retrieve(slow.runId), runSpec, 'Run');
  eq(running.status, 'running', 'status while it runs');
  const cancelled = await client.agents.messages.cancel(SLOW, { run_ids: [slow.runId] });
  eq(cancelled[slow.runId], 'cancelled', 'MessageCancelResponse');
  const tail = await rest(iterator, 'attached');
  eq(tail.at(-1).message_type, 'stop_reason', 'the stream ends with a stop_reason');
  eq(tail.at(-1).stop_reason, 'cancelled', 'stop_reason');
  const run = shape(await client.runs.retrieve(slow.runId), runSpec, 'Run');
  eq(run.status, 'cancelled', 'run status');
  eq(run.stop_reason, 'cancelled', 'run stop_reason');
  eq(run.background, true, 'background');
});

check('client.agents.messages.cancel() without run_ids cancels the newest active run', async () => {
  const slow = await startSlow(null);
  const answer = await client.agents.messages.cancel(SLOW);
  eq(JSON.stringify(Object.keys(answer)), JSON.stringify([slow.runId]), 'the run it cancelled');
  const tail = await rest(slow.iterator, 'cancelled');
  eq(tail.at(-1).stop_reason, 'cancelled', 'stop_reason');
});

check('client.runs.list()', async () => {
  const page = await client.runs.list({ agent_id: QUICK });
  page.items.forEach((r, i) => shape(r, runSpec, `Run[${i}]`));
  ok(page.items.every((r) => r.agent_id === QUICK), 'filtered by agent');
  ok(page.items.some((r) => r.id === state.tokenRun.runId), 'an earlier run is listed');
  const created = page.items.map((r) => r.created_at);
  ok(created.every((c, i) => i === 0 || c <= created[i - 1]), 'newest first');
  const paged = [];
  for await (const run of client.runs.list({ agent_id: QUICK, limit: 2 })) paged.push(run.id);
  eq(JSON.stringify(paged), JSON.stringify(page.items.map((r) => r.id)), 'auto-pagination by 2 yields the same runs');
  const active = await client.runs.list({ agent_id: QUICK, active: true });
  eq(active.items.length, 0, 'no active run of the quick agent');
});

check('client.runs.retrieve()', async () => {
  const run = shape(await client.runs.retrieve(state.tokenRun.runId), runSpec, 'Run');
  eq(run.status, 'completed', 'status');
  eq(run.stop_reason, 'end_turn', 'stop_reason');
  eq(run.agent_id, QUICK, 'agent_id');
  ok(DATE.test(run.completed_at), 'completed_at');
});

check('client.runs.messages.list()', async () => {
  const page = await client.runs.messages.list(state.tokenRun.runId);
  page.items.forEach((m, i) => letta(m, `runs.messages[${i}]`));
  eq(types(page.items), 'user_message,reasoning_message,assistant_message', 'what the run stored, oldest first');
  eq(page.items[0].otid, state.tokenRun.otid, "the user message keeps the client's otid");
  eq(page.items[0].content, 'hello, token by token', 'user content');
  eq(page.items[2].content, QUICK_TEXT, 'the deltas are stored as one message');
  ok(page.items.every((m) => m.run_id === state.tokenRun.runId && m.seq_id === null), 'run_id set, seq_id null');
  const desc = await client.runs.messages.list(state.tokenRun.runId, { order: 'desc' });
  eq(types(desc.items), 'assistant_message,reasoning_message,user_message', 'order=desc');
});

check('client.agents.messages.list()', async () => {
  const all = (await client.agents.messages.list(QUICK, { limit: 1000 })).items;
  all.forEach((m, i) => letta(m, `agents.messages[${i}]`));
  const page = await client.agents.messages.list(QUICK, { limit: 2 });
  eq(new Set(page.items.map((m) => m.id)).size, 2, 'limit counts stored messages (a reasoning and its answer share an id)');
  eq(JSON.stringify(page.items.map((m) => m.otid)), JSON.stringify(all.slice(-page.items.length).map((m) => m.otid)), 'desc (the default) gives the newest, oldest first, as Letta does');
  const user = all.find((m) => m.otid === state.tokenRun.otid) ?? fail('the token turn is not in the history');
  eq(user.message_type, 'user_message', 'type');
  eq(user.run_id, state.tokenRun.runId, 'run_id');
  const position = new Map(all.map((m, i) => [m.otid, i]));
  const before = await client.agents.messages.list(QUICK, { before: user.id, limit: 1000 });
  ok(before.items.length > 0 && before.items.every((m) => position.get(m.otid) < position.get(user.otid)), 'before= keeps older messages only');
  const after = await client.agents.messages.list(QUICK, { after: user.id, order: 'asc', limit: 1 });
  eq(types(after.items), 'reasoning_message,assistant_message', 'after= and order=asc: the turn\'s answer');
  await rejects(client.agents.messages.list(UNKNOWN), NotFoundError, 404, 'unknown agent');
});

check('client.conversations.create() / retrieve() / list()', async () => {
  const conversation = shape(await client.conversations.create({ agent_id: QUICK, summary: 'SDK conformance' }), conversationSpec, 'Conversation');
  eq(conversation.agent_id, QUICK, 'agent_id');
  eq(conversation.summary, 'SDK conformance', 'summary');
  const again = shape(await client.conversations.retrieve(conversation.id), conversationSpec, 'Conversation');
  eq(again.id, conversation.id, 'retrieve');
  const second = await client.conversations.create({ agent_id: QUICK });
  const listed = await client.conversations.list({ agent_id: QUICK });
  ok(Array.isArray(listed), 'ConversationListResponse is an array');
  listed.forEach((c, i) => shape(c, conversationSpec, `Conversation[${i}]`));
  eq(JSON.stringify(listed.map((c) => c.id)), JSON.stringify([second.id, conversation.id]), 'newest first');
  await rejects(client.conversations.create({ agent_id: UNKNOWN }), NotFoundError, 404, 'create for an unknown agent');
  state.conversation = conversation.id;
});

check('client.conversations.messages.create() (streams by default) + messages.list()', async () => {
  const first = userMessage('first in the conversation');
  const events = await collect(await client.conversations.messages.create(state.conversation, { ...first, stream_tokens: true }), 'conversation stream');
  eq(text(events, 'assistant_message', 'content'), QUICK_TEXT, 'assistant content');
  endsNormally(events, 'conversation stream');
  const run = await client.runs.retrieve(events[0].run_id);
  eq(run.conversation_id, state.conversation, 'the run belongs to the conversation');
  const second = userMessage('second in the conversation');
  await collect(await client.conversations.messages.create(state.conversation, second), 'conversation step stream');

  const page = await client.conversations.messages.list(state.conversation);
  page.items.forEach((m, i) => letta(m, `conversations.messages[${i}]`));
  const users = page.items.filter((m) => m.message_type === 'user_message');
  eq(JSON.stringify(users.map((m) => m.otid)), JSON.stringify([otidOf(second), otidOf(first)]), 'newest first (desc is the default)');
  const asc = await client.conversations.messages.list(state.conversation, { order: 'asc' });
  eq(types(asc.items), 'user_message,reasoning_message,assistant_message,user_message,reasoning_message,assistant_message', 'order=asc');
  const limited = await client.conversations.messages.list(state.conversation, { order: 'asc', limit: 1, after: asc.items[0].id });
  eq(types(limited.items), 'reasoning_message,assistant_message', 'limit counts stored messages; after= is a cursor');
  const conversation = await client.conversations.retrieve(state.conversation);
  ok(DATE.test(conversation.last_message_at), 'last_message_at is set after a send');
});

check('conversation lock: 409 while busy, re-attach (conversations.messages.stream) by newest/otid/run_id, conversations.cancel()', async () => {
  const conversation = (await client.conversations.create({ agent_id: SLOW })).id;
  const slow = await startSlow(conversation);
  const busy = await rejects(client.conversations.messages.create(conversation, userMessage('me too')), ConflictError, 409, 'second send');
  eq(busy.error.run_id, slow.runId, "the 409 names the lock holder's run");
  ok(typeof busy.error.detail === 'string' && busy.error.detail.includes(slow.runId), '409 detail');

  for (const [how, body] of [['newest', {}], ['otid', { otid: slow.otid }], ['run_id', { run_id: slow.runId }]]) {
    const attached = await client.conversations.messages.stream(conversation, body);
    const iterator = attached[Symbol.asyncIterator]();
    const first = streamed((await iterator.next()).value, `re-attach by ${how}`);
    eq(first.run_id, slow.runId, `re-attach by ${how} finds the run`);
    eq(first.seq_id, 1, `re-attach by ${how} replays from the start`);
    await iterator.return();
  }

  const answer = await client.conversations.cancel(conversation);
  eq(answer[slow.runId], 'cancelled', 'ConversationCancelResponse');
  const tail = await rest(slow.iterator, 'cancelled conversation turn');
  eq(tail.at(-1).stop_reason, 'cancelled', 'stop_reason');
  await rejects(client.conversations.cancel(conversation), ConflictError, 409, 'cancel with nothing active');
  await rejects(client.conversations.messages.stream(conversation), sdk.BadRequestError, 400, 're-attach with nothing active');
});

check("the default conversation (conversation_id 'default' + agent_id)", async () => {
  const input = userMessage('straight to the agent');
  const events = await collect(await client.conversations.messages.create('default', { ...input, agent_id: QUICK }), 'default conversation');
  endsNormally(events, 'default conversation');
  const run = await client.runs.retrieve(events[0].run_id);
  eq(run.conversation_id, null, 'agent-direct runs have no conversation');
  const page = await client.conversations.messages.list('default', { agent_id: QUICK, limit: 1000 });
  page.items.forEach((m, i) => letta(m, `default.messages[${i}]`));
  ok(page.items.some((m) => m.otid === otidOf(input)), 'the message is in the agent-direct history');

  const slow = await startSlow('default', { agent_id: SLOW });
  const busy = await rejects(client.conversations.messages.create('default', { ...userMessage('me too'), agent_id: SLOW }), ConflictError, 409, 'second default send');
  eq(busy.error.run_id, slow.runId, 'the 409 names the run');
  const answer = await client.conversations.cancel('default', { agent_id: SLOW });
  eq(answer[slow.runId], 'cancelled', 'cancel by agent_id');
  await rest(slow.iterator, 'cancelled default turn');
});

check('errors: unknown agent 404, bad body and bad id 422, nothing to cancel 409', async () => {
  const missing = await rejects(client.agents.retrieve(UNKNOWN), NotFoundError, 404, 'agents.retrieve');
  eq(missing.error.detail, `Agent with ID ${UNKNOWN} not found`, '404 detail');
  await rejects(client.agents.messages.create(UNKNOWN, { ...userMessage('hi'), streaming: true }), NotFoundError, 404, 'send to an unknown agent');
  const empty = await rejects(client.agents.messages.create(QUICK, { messages: [] }), UnprocessableEntityError, 422, 'empty messages');
  eq(empty.error.detail, 'Messages must not be empty', '422 detail');
  const neither = await rejects(client.agents.messages.create(QUICK, {}), UnprocessableEntityError, 422, 'neither messages nor input');
  ok(typeof neither.error.detail === 'string', '422 detail is a string (the repr of the error list)');
  const badId = await rejects(client.agents.retrieve('agent-123'), UnprocessableEntityError, 422, 'malformed agent id');
  ok(Array.isArray(badId.error.examples), '422 for a path id carries examples');
  await rejects(client.agents.messages.cancel(QUICK), ConflictError, 409, 'cancel with nothing active');
  await rejects(client.runs.retrieve('run-99999999-9999-4999-8999-999999999999'), NotFoundError, 404, 'runs.retrieve');
});

check('an error inside the stream surfaces as APIError', async () => {
  await simControl('/_sim/faults', { kind: 'error_before_messages', agent_id: QUICK });
  const stream = await client.agents.messages.create(QUICK, { ...userMessage('this will fail'), streaming: true });
  const events = [];
  try {
    for await (const e of stream) events.push(streamed(e, `failing[${events.length}]`));
    fail('the stream ended without an error');
  } catch (e) {
    ok(e instanceof APIError, `expected APIError, got ${e?.constructor?.name}: ${e?.message}`);
    shape(e.error, { message_type: ['error_message'], error_type: 'string', message: 'string', run_id: /^run-/ }, 'LettaErrorMessage');
    eq(e.error.error_type, 'llm_rate_limit', 'error_type');
  }
  eq(events.at(-1).stop_reason, 'llm_api_error', 'stop_reason before the error');
});

// ---------------------------------------------------------------------------------------------------------------

const passed = [];
const failed = [];
for (const { name, fn } of checks) {
  const started = Date.now();
  let timer;
  try {
    await Promise.race([fn(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out after 20 s')), 20_000); })]);
    passed.push(name);
    console.error(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed.push({ name, error: String(e?.stack ?? e) });
    console.error(`FAIL ${name}: ${e?.message ?? e}`);
  } finally {
    clearTimeout(timer);
  }
}

console.log('RESULT ' + JSON.stringify({ sdk: (await import(pathToFileURL(path.join(sdkDir, 'node_modules/@letta-ai/letta-client/version.mjs')).href)).VERSION, passed, failed }));
