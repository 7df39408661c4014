// Loads one of the seed's clients as written, changing only where it connects: the tutorial's
// http://localhost:8000 and ws://localhost:8000 become the gateway under test (SEED_HTTP_BASE,
// SEED_WS_BASE), the placeholder agent in the WebSocket URL becomes a real one (SEED_AGENT: Letta
// ids are agent-<uuid>), and 'react' resolves to fake-react.mjs. The copy goes to a temp folder.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadClient(name) {
  const here = new URL('.', import.meta.url);
  const source = (await readFile(new URL(name, here), 'utf8'))
    .replaceAll('ws://localhost:8000/ws/agent-123', `${process.env.SEED_WS_BASE}/ws/${process.env.SEED_AGENT}`)
    .replaceAll('http://localhost:8000', process.env.SEED_HTTP_BASE)
    .replaceAll('ws://localhost:8000', process.env.SEED_WS_BASE)
    .replace("from 'react'", `from '${new URL('fake-react.mjs', here).href}'`);
  const dir = await mkdtemp(join(tmpdir(), 'lettasockets-seed-'));
  const file = join(dir, name);
  await writeFile(file, source);
  return import(pathToFileURL(file).href);
}

/** Prints the one line the MSTest side parses. */
export function report(result) {
  process.stdout.write('RESULT ' + JSON.stringify(result) + '\n');
}
