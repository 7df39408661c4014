// streaming-client.ts from the seed tutorial ("Frontend Client for Streaming"), with its type
// annotations removed and nothing else changed. The tests load it with the URL pointed at the
// gateway under test (see load-client.mjs). The tutorial's "Usage example" call, which writes into
// a DOM element, is replaced by run-streaming-client.mjs.

async function streamAgentMessage(
  agentId,
  message,
  onChunk,
  onComplete,
  onError
) {
  try {
    const response = await fetch('http://localhost:8000/stream', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ agent_id: agentId, message }),
    });

    const reader = response.body?.getReader();
    const decoder = new TextDecoder();

    if (!reader) {
      throw new Error('No reader available');
    }

    while (true) {
      const { done, value } = await reader.read();

      if (done) break;

      const chunk = decoder.decode(value);
      const lines = chunk.split('\n');

      for (const line of lines) {
        if (line.startsWith('data: ')) {
          const data = JSON.parse(line.slice(6));

          if (data.type === 'content') {
            onChunk(data.content);
          } else if (data.type === 'done') {
            onComplete();
          } else if (data.type === 'error') {
            onError(data.message);
          }
        }
      }
    }
  } catch (error) {
    onError(error instanceof Error ? error.message : 'Unknown error');
  }
}

export { streamAgentMessage };
