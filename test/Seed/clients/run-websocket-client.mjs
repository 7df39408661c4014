// Runs the seed's WebSocket snippet: it sends {"message":"Hello!"}, appends chunks and logs
// 'Response complete' on done, which ends this run.
import { loadClient, report } from './load-client.mjs';

const chat = [];
globalThis.appendToChat = (content) => chat.push(content);
const log = console.log;
console.log = (...args) => {
  if (args[0] === 'Response complete') {
    report({ text: chat.join(''), chunks: chat.length, completed: true });
    process.exit(0);
  }
  log(...args);
};

await loadClient('websocket-client.mjs');
