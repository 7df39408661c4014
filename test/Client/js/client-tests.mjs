// The JavaScript client (letta-sockets.js, copied next to this file) against a gateway, one scenario
// per run (LS_SCENARIO). Prints `STEP <name>` when the C# test should act (stop or kill the server…)
// and one `RESULT <json>` line with what it saw; the C# test asserts on it.
import { LettaSocketsClient, LettaSocketsError } from './letta-sockets.js';

const env = process.env;
const step = (name) => console.log(`STEP ${name}`);
const textOf = (frames) => frames.filter((f) => f.type === 'chunk').map((f) => f.content).join('');

// Never hang a test run: the C# side bounds its waits too, this ends the process.
setTimeout(() => {
  console.error('client-tests.mjs: timed out');
  process.exit(3);
}, 90_000).unref();

/** A WebSocket that records what the client sends. */
function recordingSocket(sent) {
  return class extends WebSocket {
    send(data) {
      sent.push(JSON.parse(data));
      super.send(data);
    }
  };
}

async function collect(turn, onFrame = () => {}) {
  const frames = [];
  for await (const frame of turn) {
    frames.push(frame);
    onFrame(frame);
  }
  return frames;
}

const fast = { baseDelayMs: 100, maxDelayMs: 1000 };

const scenarios = {
  async stream() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT });
    const turn = client.send('Hello');
    const frames = await collect(turn);
    const terminal = await turn.result;
    const second = await client.send('again').text();
    client.close();
    return {
      types: frames.map((f) => f.type),
      text: textOf(frames),
      second,
      sameId: frames.every((f) => f.id === turn.id),
      terminalIsLast: terminal === frames.at(-1),
      stopReason: terminal.stop_reason,
      readyAgent: client.ready.agent_id,
      maxContentChars: client.limits.max_content_chars,
      state: turn.state,
    };
  },

  async concurrent() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT });
    const [one, two] = await Promise.all([
      client.send('one').text(),
      client.send('two', { agentId: env.LS_AGENT2 }).text(),
    ]);
    client.close();
    return { one, two };
  },

  async abort() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT });
    const controller = new AbortController();
    let runId = null;
    const frames = await collect(client.send('talk', { signal: controller.signal }), (frame) => {
      if (frame.type === 'chunk' && runId === null) {
        runId = frame.run_id;
        controller.abort();
      }
    });
    const cancelled = client.send('talk again');
    for await (const frame of cancelled) {
      if (frame.type === 'chunk') break; // leaving the loop cancels the turn
    }
    const second = await cancelled.result;
    client.close();
    return { runId, last: frames.at(-1), text: textOf(frames), secondRunId: second.run_id, secondLast: second };
  },

  async approval() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT });
    const ask = client.send('delete /tmp/js.txt');
    const asked = await collect(ask);
    const request = asked.find((f) => f.type === 'approval_request');
    const approved = await collect(ask.approve(request.tool_call_id, true));
    const again = client.send('delete /tmp/keep.txt');
    const second = (await collect(again)).find((f) => f.type === 'approval_request');
    const denied = await again.approve(second.tool_call_id, false, 'not today').text();
    client.close();
    return {
      toolCallId: request.tool_call_id,
      name: request.name,
      askedStop: asked.at(-1).stop_reason,
      toolResult: approved.find((f) => f.type === 'tool_result')?.status ?? null,
      approvedText: textOf(approved),
      denied,
    };
  },

  async history() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT });
    await client.send('hello').result;
    const request = client.request({ type: 'history', limit: 10 });
    const frames = await collect(request);
    client.close();
    return { frames, state: request.state };
  },

  async ping() {
    const client = await LettaSocketsClient.connect(env.LS_BASE);
    const rtt = await client.ping();
    client.close();
    return { rtt, state: client.state };
  },

  async refused() {
    try {
      await LettaSocketsClient.connect(env.LS_BASE, { agentId: 'not/an/agent' });
      return { error: null };
    } catch (error) {
      return { error: error instanceof LettaSocketsError ? error.code : String(error) };
    }
  },

  async badFrames() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: 'agent-fake' });
    const notices = [];
    client.addEventListener('notice', ({ detail }) => notices.push(detail.code));
    const frames = await collect(client.send('hello'));
    const rtt = await client.ping();
    client.close();
    return { types: frames.map((f) => f.type), text: textOf(frames), notices, rtt };
  },

  async dropped() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT, resumable: 'auto', reconnect: fast });
    const states = [];
    client.addEventListener('state', ({ detail }) => states.push(detail.state));
    let streaming = false;
    const frames = await collect(client.send('keep talking'), (frame) => {
      if (frame.type === 'chunk' && !streaming) {
        streaming = true;
        step('streaming');
      }
    });
    step('lost');
    // Still reconnecting (the test restarts the server only now): a request ends at once, retryable.
    const offline = await client.send('while down').result;
    await client.whenLive();
    const after = await client.send('hello', { agentId: env.LS_AGENT2 }).text();
    client.close();
    return { last: frames.at(-1), states, after, offline };
  },

  async cancelWhileDown() {
    const client = await LettaSocketsClient.connect(env.LS_BASE, { agentId: env.LS_AGENT, resumable: 'auto', reconnect: fast });
    const turn = client.send('talk');
    client.addEventListener('state', ({ detail }) => {
      if (detail.state === 'reconnecting' && turn.state === 'interrupted' && !turn.cancelRequested) {
        turn.cancel();
        step('cancelled');
      }
    });
    let streaming = false;
    const frames = await collect(turn, (frame) => {
      if (frame.type === 'chunk' && !streaming) {
        streaming = true;
        step('streaming');
      }
    });
    client.close();
    return { last: frames.at(-1), runId: frames.find((f) => f.run_id)?.run_id ?? null };
  },

  async resume() {
    const sent = [];
    const client = await LettaSocketsClient.connect(env.LS_BASE, {
      agentId: env.LS_AGENT, resumable: 'auto', reconnect: fast, WebSocket: recordingSocket(sent),
    });
    const turnStates = [];
    const turn = client.send('tell me a story');
    turn.addEventListener('state', ({ detail }) => turnStates.push(detail.state));
    let chunks = 0;
    const frames = await collect(turn, (frame) => {
      if (frame.type === 'chunk' && ++chunks === 5) step('streaming');
    });
    client.close();
    return {
      text: textOf(frames),
      last: frames.at(-1),
      runId: frames.find((f) => f.run_id)?.run_id ?? null,
      seqs: frames.filter((f) => f.type === 'chunk' && Number.isInteger(f.seq)).map((f) => f.seq),
      thinking: frames.filter((f) => f.type === 'status' && f.status === 'thinking').length,
      message: sent.find((f) => f.type === 'message'),
      resumes: sent.filter((f) => f.type === 'resume'),
      turnStates,
    };
  },
};

try {
  const scenario = scenarios[env.LS_SCENARIO];
  if (!scenario) throw new Error(`unknown scenario ${env.LS_SCENARIO}`);
  const result = await scenario();
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(1);
}
