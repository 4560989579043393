/**
 * Issue 10 case 2: a room made private stops reaching its joined non-members at once, in every framing and dialect: a user of
 * each protocol sits in app 1's lobby, the operator makes the lobby private, and a member's next message
 * reaches the member and nobody else; what the non-members try to send there reaches nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { api, ClientPool, NO_FLOOD, patchApp } from '../native/helpers.js';
import { recordOutcome } from './report.js';
import {
  chatroomSeat,
  eventchatSeat,
  isMessage,
  LOBBY,
  messageTexts,
  moneypotSeat,
  nativeSeat,
  numericSeat,
  uniqueText,
  WAIT_MS,
  waitObserved,
  type Seat,
} from '../dialects/all-in-lobby.helpers.js';
import { ChatroomPool, isErrorFrame, post, type ChatroomClient } from '../dialects/chatroom/helpers.js';
import { EventchatPool, type EventchatClient } from '../dialects/eventchat/helpers.js';
import { hashedToken, MpPool, type MpClient } from '../dialects/moneypot/helpers.js';
import { isType, NumericPool, type NumericClient } from '../dialects/numeric/helpers.js';
import { SocketApiPool, tokenFor, type SocketApiClient } from '../dialects/socketapi/helpers.js';

describe('issue 10 case 2: a room made private stops streaming to joined non-members and takes nothing from them', () => {
  let srv: TestServer;
  const eventchats = new EventchatPool();
  const chatrooms = new ChatroomPool();
  const moneypots = new MpPool();
  const numerics = new NumericPool();
  const natives = new ClientPool();
  const socketapis = new SocketApiPool();

  let ec: EventchatClient;
  let cr: ChatroomClient;
  let mp: MpClient;
  let nu: NumericClient;
  let naWs: ParleyClient;
  let naSio: ParleyClient;
  let sa: SocketApiClient;
  let member: ParleyClient;
  let memberSeat: Seat;
  let outsiders: Seat[];
  let lobbyId: number;

  async function tokenClient(username: string, transport: 'ws' | 'socket.io'): Promise<ParleyClient> {
    const { token } = await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', { username });
    return natives.client(srv, transport, { token }, { requestTimeoutMs: WAIT_MS });
  }

  /** The socketapi user's `message-created` texts. */
  function socketapiTexts(): string[] {
    return sa.received.flatMap((r) => {
      if (r.event !== 'message-created') return [];
      const message = (r.data as { message?: { text?: unknown } }).message;
      return typeof message?.text === 'string' ? [message.text] : [];
    });
  }

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 60_000 } });
    await patchApp(srv, NO_FLOOD);

    await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'pv_ann', password: 'pv-ann-password' });
    ec = eventchats.open(srv);
    await ec.next('connection', undefined, WAIT_MS);
    ec.emit('Auth', { user: 'pv_ann', password: 'pv-ann-password', room: LOBBY });
    await ec.next('users', undefined, WAIT_MS);

    await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'pv_bob', password: 'pv-bob-password' });
    const login = await post<{ token: string }>(srv, '/chatroom/login-user', {
      username: 'pv_bob',
      password: 'pv-bob-password',
    });
    cr = chatrooms.open(srv);
    cr.username = 'pv_bob';
    cr.token = login.body.token;
    await cr.opened;
    cr.hello(true);
    cr.command('connect_to_room', { username: 'pv_bob', roomName: LOBBY });
    await cr.next((f) => f.type === 'connect_to_room', WAIT_MS);

    mp = moneypots.client(srv);
    await mp.connected();
    await new Promise<void>((resolve, reject) => {
      void hashedToken(srv, 'pv_mia').then((hashed) =>
        mp.socket.emit('auth', { app_id: 1, hashed_token: hashed }, (err: unknown) =>
          err === null ? resolve() : reject(new Error(`moneypot auth: ${JSON.stringify(err)}`)),
        ),
      );
    });

    nu = numerics.open(srv, 'pv_dan');
    await nu.opened;
    await nu.next(isType(2, { user: 'pv_dan' }), WAIT_MS);
    nu.send({ type: 4, channel: `#${LOBBY}` });
    await nu.next(isType(4, { channel: LOBBY, user: 'pv_dan' }), WAIT_MS);

    naWs = await tokenClient('pv_eve', 'ws');
    naSio = await tokenClient('pv_sio', 'socket.io');
    member = await tokenClient('pv_mem', 'ws');
    outsiders = [
      eventchatSeat(ec, 'pv_ann'),
      chatroomSeat(cr, 'pv_bob'),
      moneypotSeat(mp, 'pv_mia'),
      numericSeat(nu, 'pv_dan'),
      nativeSeat(naWs, 'pv_eve'),
      nativeSeat(naSio, 'pv_sio'),
    ];
    memberSeat = nativeSeat(member, 'pv_mem');
    for (const client of [naWs, naSio, member]) {
      await client.connect();
      const joined = await client.join(LOBBY);
      lobbyId = joined.room.id;
    }

    sa = socketapis.open(srv, { app: '1' });
    await sa.connect();
    sa.emit('auth', { transaction: 'pv', data: await tokenFor(srv, 'pv_sam') });
    await sa.next('auth-success', undefined, WAIT_MS);
    sa.emit('join-channel', { channelId: lobbyId });
    await sa.next('channel-joined', undefined, WAIT_MS);

    // Before: a message reaches everyone (so that "did not arrive" below means something).
    const before = uniqueText('before');
    await member.send(LOBBY, before);
    await Promise.all(outsiders.map((s) => waitObserved(s, isMessage('pv_mem', before), before)));
    await waitFor(() => socketapiTexts().includes(before) || null, {
      timeoutMs: WAIT_MS,
      label: 'socketapi',
    });
  });

  afterAll(async () => {
    eventchats.closeAll();
    chatrooms.closeAll();
    moneypots.closeAll();
    numerics.closeAll();
    natives.closeAll();
    socketapis.closeAll();
    await srv?.close();
  });

  it('reaches its members only, from the moment it is made private', async () => {
    await api(srv, 'POST', `/api/v1/apps/1/rooms/${LOBBY}/members`, { username: 'pv_mem' });
    await api(srv, 'PATCH', `/api/v1/apps/1/rooms/${LOBBY}`, { visibility: 'private' });

    const after = uniqueText('after');
    await member.send(LOBBY, after);
    await waitObserved(memberSeat, isMessage('pv_mem', after), after);
    // The native clients answer a request only after every event queued before it: a round trip proves that
    // nothing more is on its way to them.
    await Promise.all([naWs.listRooms(), naSio.listRooms()]);
    // Everyone else: a message the member sends after it, still delivered to the member, is the barrier.
    const barrier = uniqueText('barrier');
    await member.send(LOBBY, barrier);
    await waitObserved(memberSeat, isMessage('pv_mem', barrier), barrier);

    for (const seat of outsiders) {
      expect(messageTexts(seat), `${seat.dialect} (${seat.username})`).not.toContain(after);
      expect(messageTexts(seat), `${seat.dialect} (${seat.username})`).not.toContain(barrier);
    }
    expect(socketapiTexts()).not.toContain(after);
    expect(socketapiTexts()).not.toContain(barrier);
    recordOutcome({
      id: 'issue-10-case-2-stream',
      fault: 'room made private (PATCH visibility) while non-members of 7 protocols sit in it',
      expected: 'the next messages reach members only',
      measured: 'no non-member received a message sent after the change',
      numbers: { nonMembers: outsiders.length + 1, leakedMessages: 0 },
    });
  });

  it('takes nothing more from its joined non-members', async () => {
    const texts = {
      eventchat: uniqueText('ec'),
      chatroom: uniqueText('cr'),
      moneypot: uniqueText('mp'),
      numeric: uniqueText('nu'),
      ws: uniqueText('ws'),
      sio: uniqueText('sio'),
      socketapi: uniqueText('sa'),
    };
    // Each send is answered (a refusal in the dialect's own way) before the barrier below is sent.
    ec.emit('message', { content: texts.eventchat, raw_content: texts.eventchat });
    await ec.next('cerror', undefined, WAIT_MS);
    cr.command('send_message', { roomName: LOBBY, author: 'pv_bob', message: texts.chatroom });
    await cr.next(isErrorFrame, WAIT_MS);
    const mpRefusal = await new Promise<unknown>((resolve) =>
      mp.socket.emit('new_message', texts.moneypot, (err: unknown) => resolve(err)),
    );
    expect(mpRefusal).not.toBeNull();
    nu.send({ type: 0, dest: `#${LOBBY}`, message: texts.numeric });
    await nu.next(isType(-1), WAIT_MS);
    sa.emit('send-message', { transaction: 'pv-send', channelId: lobbyId, text: texts.socketapi });
    await sa.next('socket-api-error-pv-send', undefined, WAIT_MS);
    await expect(naWs.send(LOBBY, texts.ws)).rejects.toMatchObject({ code: expect.any(String) });
    await expect(naSio.send(LOBBY, texts.sio)).rejects.toMatchObject({ code: expect.any(String) });

    const barrier = uniqueText('barrier');
    await member.send(LOBBY, barrier);
    await waitObserved(memberSeat, isMessage('pv_mem', barrier), barrier);
    const history = await member.history(LOBBY, { limit: 50 });
    const stored = history.messages.map((m) => m.text);
    for (const text of Object.values(texts)) {
      expect(messageTexts(memberSeat)).not.toContain(text);
      expect(stored).not.toContain(text);
    }
    recordOutcome({
      id: 'issue-10-case-2-send',
      fault: 'joined non-members of a room made private send to it (7 protocols)',
      expected: 'each refused in its protocol’s way; nothing stored or delivered',
      measured: 'all refused; none stored or delivered',
      numbers: { attempts: Object.keys(texts).length, accepted: 0 },
    });
  });
});
