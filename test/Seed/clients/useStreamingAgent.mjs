// useStreamingAgent.ts from the seed tutorial ("React Hook for Streaming"), with its type
// annotations (and the UseStreamingAgentResult interface) removed and nothing else changed. Under
// node, 'react' resolves to fake-react.mjs (see load-client.mjs); the tutorial's JSX usage
// component is replaced by run-react-hook.mjs.
import { useState, useCallback } from 'react';

export function useStreamingAgent() {
  const [response, setResponse] = useState('');
  const [isStreaming, setIsStreaming] = useState(false);
  const [error, setError] = useState(null);
  const [abortController, setAbortController] = useState(null);

  const sendMessage = useCallback(async (agentId, message) => {
    setResponse('');
    setError(null);
    setIsStreaming(true);

    const controller = new AbortController();
    setAbortController(controller);

    try {
      const res = await fetch('http://localhost:8000/stream', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ agent_id: agentId, message }),
        signal: controller.signal,
      });

      const reader = res.body?.getReader();
      const decoder = new TextDecoder();

      if (!reader) throw new Error('No reader');

      while (true) {
        const { done, value } = await reader.read();
        if (done) break;

        const chunk = decoder.decode(value);
        const lines = chunk.split('\n');

        for (const line of lines) {
          if (line.startsWith('data: ')) {
            const data = JSON.parse(line.slice(6));

            if (data.type === 'content') {
              setResponse(prev => prev + data.content);
            } else if (data.type === 'error') {
              setError(data.message);
            }
          }
        }
      }
    } catch (err) {
      if (err instanceof Error && err.name !== 'AbortError') {
        setError(err.message);
      }
    } finally {
      setIsStreaming(false);
      setAbortController(null);
    }
  }, []);

  const stop = useCallback(() => {
    abortController?.abort();
    setIsStreaming(false);
  }, [abortController]);

  return { response, isStreaming, error, sendMessage, stop };
}
