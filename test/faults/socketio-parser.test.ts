/**
 * Attacks on socket.io's packet parser, written as raw engine.io packets on the native namespace: malformed
 * packets, binary events announcing huge attachment counts, and binary placeholders smuggled where data is
 * expected. Each either closes that connection or is refused with an error, never reaches the engine as data,
 * and leaves the server serving a bystander.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { ClientPool } from '../native/helpers.js';
import { RawSocketIo } from './rawSocketIo.js';
import { recordOutcome } from './report.js';

type Outcome = 'closed' | 'refused' | 'ignored';

const ATTACKS: { name: string; packets: (string | Buffer)[]; expected: Outcome }[] = [
  { name: 'truncated JSON', packets: ['42["history",{"room":'], expected: 'closed' },
  { name: 'an object instead of an array', packets: ['42{"room":"lobby"}'], expected: 'closed' },
  { name: 'a non-string event name', packets: ['42[1,{"room":"lobby"}]'], expected: 'refused' },
  { name: 'an unknown packet type', packets: ['49["history"]'], expected: 'closed' },
  { name: 'an unknown engine.io packet type', packets: ['9'], expected: 'closed' },
  { name: 'an ack id of 400 digits', packets: [`42${'9'.repeat(400)}["ping"]`], expected: 'ignored' },
  { name: 'a namespace never connected', packets: ['42/nowhere,["history",{}]'], expected: 'closed' },
  {
    name: 'a binary event announcing 10^9 attachments',
    packets: ['451000000000-["send",{"_placeholder":true,"num":0}]'],
    expected: 'closed',
  },
  {
    name: 'a placeholder pointing past its attachments',
    packets: ['451-["send",{"room":"lobby","text":{"_placeholder":true,"num":7}}]', Buffer.from('x')],
    expected: 'closed',
  },
  {
    name: 'a placeholder in a plain event, where text belongs',
    packets: ['4277["send",{"room":"lobby","text":{"_placeholder":true,"num":0}}]'],
    expected: 'refused',
  },
  {
    name: '__proto__ as the event data',
    packets: ['4278["history",{"__proto__":{"room":"lobby"}}]'],
    expected: 'refused',
  },
];

let srv: TestServer;
const pool = new ClientPool();
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  pool.closeAll();
  await srv?.close();
});

/** After the attack: the connection closed, an error came back, or a ping round trip shows it was ignored. */
async function outcomeOf(client: RawSocketIo, seen: number): Promise<Outcome> {
  let closed = false;
  void client.closed.then(() => (closed = true));
  client.emit('ping', {}, 999);
  await waitFor(() => closed || client.packets.some((p) => p.startsWith('43999')), {
    label: 'close or pong',
  });
  if (closed) return 'closed';
  const answers = client.packets
    .slice(seen)
    .filter((p) => /^43(77|78)/.test(p) || p.startsWith('42["error"'));
  return answers.some((p) => p.includes('"ok":false') || p.startsWith('42["error"')) ? 'refused' : 'ignored';
}

describe('socket.io parser attacks', () => {
  it('each closes its connection or is refused; the server and a bystander are unaffected', async () => {
    const bystander = pool.client(srv, 'socket.io', { guest: 'bystander' });
    await bystander.connect();
    await bystander.join('lobby');
    const outcomes: Record<string, Outcome> = {};
    for (const attack of ATTACKS) {
      const client = await RawSocketIo.open(srv.url);
      await client.connect({ guest: 'parser' });
      const seen = client.packets.length;
      for (const packet of attack.packets) client.ws.send(packet);
      outcomes[attack.name] = await outcomeOf(client, seen);
      client.close();
    }
    expect(outcomes).toEqual(Object.fromEntries(ATTACKS.map((a) => [a.name, a.expected])));
    const history = await bystander.history('lobby', { limit: 100 });
    expect(history.messages).toEqual([]);
    expect(await bystander.send('lobby', 'still here')).toBeTruthy();
    recordOutcome({
      id: 'socketio-parser',
      fault: `${ATTACKS.length} socket.io parser attacks: malformed packets, 10^9 attachments, stray placeholders`,
      expected:
        'the connection closed, or the packet refused or ignored; nothing stored; a bystander unaffected',
      measured: `${Object.values(outcomes).filter((o) => o === 'closed').length} closed, ${Object.values(outcomes).filter((o) => o === 'refused').length} refused, ${Object.values(outcomes).filter((o) => o === 'ignored').length} ignored; bystander served`,
      numbers: { attacks: ATTACKS.length, stored: 0, crashes: 0 },
    });
  });
});
