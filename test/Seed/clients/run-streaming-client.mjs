// Drives the seed's streamAgentMessage: one answer, then an unknown agent (an error event).
import { loadClient, report } from './load-client.mjs';

const { streamAgentMessage } = await loadClient('streaming-client.mjs');

async function run(agentId, message) {
  const result = { text: '', chunks: 0, completed: 0, errors: [] };
  await streamAgentMessage(
    agentId,
    message,
    (content) => { result.text += content; result.chunks++; },
    () => { result.completed++; },
    (error) => { result.errors.push(error); },
  );
  return result;
}

report({
  answer: await run(process.env.SEED_AGENT, 'Tell me about quantum computing'),
  unknown: await run(process.env.SEED_UNKNOWN_AGENT, 'Hello?'),
});
