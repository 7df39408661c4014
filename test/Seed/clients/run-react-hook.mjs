// Drives the seed's useStreamingAgent hook the way its component would: send, read the state;
// then send to a slow agent and press Stop once text has appeared.
import { loadClient, report } from './load-client.mjs';
import { renderHook, waitForRender } from './fake-react.mjs';

const { useStreamingAgent } = await loadClient('useStreamingAgent.mjs');
const hook = renderHook(() => useStreamingAgent());
const snapshot = () => {
  const { response, isStreaming, error } = hook();
  return { response, isStreaming, error };
};

const initial = snapshot();
await hook().sendMessage(process.env.SEED_AGENT, 'Hello!');
const answered = snapshot();

const sending = hook().sendMessage(process.env.SEED_SLOW_AGENT, 'Tell me something long');
const streaming = await waitForRender((state) => state.response.length > 0);
const wasStreaming = streaming.isStreaming;
hook().stop();
await sending;
const stopped = snapshot();

report({ initial, answered, wasStreaming, stopped });
