// The seed tutorial's "WebSocket Client" snippet, unchanged (it has no type annotations). It
// expects a global appendToChat; run-websocket-client.mjs provides one and loads this file with
// the URL pointed at the gateway under test.
const ws = new WebSocket('ws://localhost:8000/ws/agent-123');

ws.onopen = () => {
  ws.send(JSON.stringify({ message: 'Hello!' }));
};

ws.onmessage = (event) => {
  const data = JSON.parse(event.data);

  if (data.type === 'chunk') {
    appendToChat(data.content);
  } else if (data.type === 'done') {
    console.log('Response complete');
  }
};
