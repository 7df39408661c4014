// The page's connection: the LettaSockets client library (/lib/letta-sockets.js) bound to the
// agent the picker shows. The library reconnects with capped, jittered backoff and re-attaches
// resumable turns by itself; the page only adds what a browser knows: when it is back online.
import { LettaSocketsClient } from '../lib/letta-sockets.js';

/**
 * @param {() => string} urlFactory called before every attempt (the agent may have changed).
 * @param {string} idPrefix prefix of the turn ids the page sends.
 */
export function openConnection(urlFactory, idPrefix) {
  // Where the server offers it, every turn runs as a Letta background run: a dropped socket or a
  // server restart then costs the answer nothing (docs/PROTOCOL.md, "Resuming").
  const client = new LettaSocketsClient(urlFactory, { resumable: 'auto', idPrefix });
  window.addEventListener('online', () => client.reconnectNow());
  return client;
}
