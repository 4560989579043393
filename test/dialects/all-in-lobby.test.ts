/**
 * The five documented chat APIs in one room: a user of each message-carrying dialect (eventchat, chatroom,
 * moneypot, numeric) and one native user sit in app 1's lobby (the moneypot dialect's one room). Each sees
 * everybody's messages, joins and leaves in its own dialect's shape; a mute issued from the moneypot dialect
 * is enforced in all of them; and a socketapi user hears `channel-created` for rooms created from the chatroom
 * dialect and the native protocol.
 *
 * The presence grace period is set far beyond any wait here: a leave can only be seen in time if deliberate
 * leaves (native `leave`, numeric type 5) are announced at once, as documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientEventMap, ParleyClient } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { once, waitFor } from '../helpers/wait.js';
import { api, ClientPool, patchApp } from '../native/helpers.js';
import {
  chatroomSeat,
  eventchatSeat,
  isMessage,
  isPresence,
  LOBBY,
  messageTexts,
  moneypotSeat,
  nativeSeat,
  numericSeat,
  uniqueText,
  WAIT_MS,
  waitObserved,
  type Dialect,
  type Rec,
  type Seat,
} from './all-in-lobby.helpers.js';
import { ChatroomPool, post, type ChatroomClient, type Frame as ChatroomFrame } from './chatroom/helpers.js';
import { EventchatPool, type EventchatClient } from './eventchat/helpers.js';
import { hashedToken, MpPool, type MpClient } from './moneypot/helpers.js';
import { isType, NumericPool, type NumericClient } from './numeric/helpers.js';
import { SocketApiPool, tokenFor } from './socketapi/helpers.js';

interface CreatedUser {
  id: number;
  username: string;
}

describe('the five documented chat APIs in app 1 lobby', () => {
  let srv: TestServer;
  const eventchats = new EventchatPool();
  const chatrooms = new ChatroomPool();
  const moneypots = new MpPool();
  const numerics = new NumericPool();
  const natives = new ClientPool();
  const socketapis = new SocketApiPool();

  // The five in the lobby.
  let ec: EventchatClient;
  let cr: ChatroomClient;
  let mp: MpClient; // role mod: issues the mutes
  let nu: NumericClient;
  let na: ParleyClient;
  let seats: Seat[];
  const seat = {} as Record<Dialect, Seat>;
  let crUser: CreatedUser;
  const nativeMutes: ClientEventMap['muted'][] = [];

  /** `new_message` with a callback, answered within WAIT_MS (the callback's `err`). */
  function mpSend(client: MpClient, text: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no new_message callback for ${text}`)), WAIT_MS);
      client.socket.emit('new_message', text, (err: unknown) => {
        clearTimeout(timer);
        resolve(err);
      });
    });
  }

  /** moneypot `auth` with a callback, answered within WAIT_MS. */
  function mpAuthenticate(client: MpClient, hashed: string): Promise<{ err: unknown; data: unknown }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no auth callback')), WAIT_MS);
      client.socket.emit('auth', { app_id: 1, hashed_token: hashed }, (err: unknown, data: unknown) => {
        clearTimeout(timer);
        resolve({ err, data });
      });
    });
  }

  /** The chatroom reply to the frame just sent: the `send_message` ack, or an error frame. */
  function chatroomReply(): Promise<ChatroomFrame> {
    return cr.next((f) => (f.statusCode === 'ok' && f.type === '') || f.statusCode === 'error', WAIT_MS);
  }

  /** Posts `text` to the lobby from the seat of `dialect`, and waits for the server to have accepted it. */
  async function say(dialect: Dialect, text: string): Promise<void> {
    switch (dialect) {
      case 'eventchat':
        // No ack in this dialect: a refusal would be a cerror, and the echo is awaited by the caller.
        ec.emit('message', { content: text, raw_content: text });
        return;
      case 'chatroom':
        cr.command('send_message', { roomName: LOBBY, author: cr.username, message: text });
        expect(await chatroomReply()).toEqual({ statusCode: 'ok', type: '', data: {} });
        return;
      case 'moneypot':
        expect(await mpSend(mp, text)).toBeNull();
        return;
      case 'numeric':
        nu.send({ type: 0, dest: `#${LOBBY}`, message: text });
        return;
      case 'native': {
        const result = await na.send(LOBBY, text);
        expect(result.kind).toBe('message');
        return;
      }
    }
  }

  /** What a lobby message by `author` looks like at a seat of `dialect`, as its document shows it. */
  function messageShape(dialect: Dialect, author: string, text: string): unknown {
    switch (dialect) {
      case 'eventchat':
        return { id: expect.any(Number), user: author, content: `<p>${text}</p>`, raw_content: text };
      case 'chatroom':
        return { statusCode: 'ok', type: 'receive_message', data: { author, message: text } };
      case 'moneypot':
        return { id: expect.any(Number), user: { uname: author, role: expect.any(String) }, text };
      case 'numeric':
        return { type: 0, time: expect.any(Number), dest: LOBBY, message: text, user: author };
      case 'native':
        return {
          room: { id: expect.any(Number), name: LOBBY },
          message: expect.objectContaining({
            id: expect.any(Number),
            room: LOBBY,
            kind: 'text',
            text,
            author: expect.objectContaining({ username: author }),
            deletedAt: null,
          }),
        };
    }
  }

  /** What a join or leave of `user` (a member) looks like at a seat of `dialect`. */
  function presenceShape(dialect: Dialect, kind: 'join' | 'leave', user: string, role: string): unknown {
    switch (dialect) {
      case 'eventchat':
        return { user };
      case 'chatroom':
        return {
          statusCode: 'ok',
          type: 'receive_message',
          data: {
            author: '[Room]',
            message: `${user} has ${kind === 'join' ? 'connected' : 'disconnected'}.`,
          },
        };
      case 'moneypot':
        return { uname: user, role };
      case 'numeric':
        return { type: kind === 'join' ? 4 : 5, time: expect.any(Number), channel: LOBBY, user };
      case 'native':
        return {
          room: { id: expect.any(Number), name: LOBBY },
          user: { id: expect.any(Number), username: user, role },
        };
    }
  }

  /** A message id as the dialect carries it (eventchat, moneypot and native carry Parley's message id). */
  function messageId(dialect: Dialect, raw: unknown): number | null {
    const rec = raw as Rec;
    if (dialect === 'eventchat' || dialect === 'moneypot') return rec.id as number;
    if (dialect === 'native') return (raw as ClientEventMap['message']).message.id;
    return null;
  }

  /** Sends `text` from the native seat and waits until every seat has it: all that was sent before is in. */
  async function barrier(): Promise<void> {
    const text = uniqueText('barrier');
    await say('native', text);
    await Promise.all(seats.map((s) => waitObserved(s, isMessage('na_eve', text), text)));
  }

  async function nativeUser(username: string): Promise<ParleyClient> {
    const { token } = await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', { username });
    return natives.client(srv, 'ws', { token }, { requestTimeoutMs: WAIT_MS });
  }

  type Visit = Record<'join' | 'leave', { observation: { raw: unknown }; index: number }[]>;

  /** A second native user joins the lobby and leaves it explicitly; resolves with what each seat saw. */
  async function nativeVisit(username: string): Promise<Visit> {
    const visitor = await nativeUser(username);
    await visitor.connect();
    await visitor.join(LOBBY);
    const join = await Promise.all(seats.map((s) => waitObserved(s, isPresence('join', username), 'join')));
    await visitor.leave(LOBBY);
    const leave = await Promise.all(
      seats.map((s) => waitObserved(s, isPresence('leave', username), 'leave')),
    );
    return { join, leave };
  }

  /** A second numeric user joins `#lobby` (type 4) and leaves it (type 5); resolves with what each seat saw. */
  async function numericVisit(nick: string): Promise<Visit> {
    const visitor = numerics.open(srv, nick);
    await visitor.opened;
    await visitor.next(isType(2, { user: nick }), WAIT_MS);
    visitor.send({ type: 4, channel: `#${LOBBY}` });
    await visitor.next(isType(4, { channel: LOBBY, user: nick }), WAIT_MS);
    const join = await Promise.all(seats.map((s) => waitObserved(s, isPresence('join', nick), 'join')));
    visitor.send({ type: 5, channel: `#${LOBBY}` });
    await visitor.next(isType(5, { channel: LOBBY, user: nick }), WAIT_MS);
    const leave = await Promise.all(seats.map((s) => waitObserved(s, isPresence('leave', nick), 'leave')));
    return { join, leave };
  }

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 60_000 } });
    await patchApp(srv, { flood: { burst: 1000, perSecond: 1000 } });

    // eventchat: a built-in account, Auth into the lobby.
    await api(srv, 'POST', '/api/v1/apps/1/users', { username: 'ec_ann', password: 'ec-ann-password' });
    ec = eventchats.open(srv);
    seat.eventchat = eventchatSeat(ec, 'ec_ann');
    await ec.next('connection', undefined, WAIT_MS);
    ec.emit('Auth', { user: 'ec_ann', password: 'ec-ann-password', room: LOBBY });
    const ecAuth = await waitFor(() => ec.frames.find((f) => f.event === 'Auth' || f.event === 'cerror'), {
      timeoutMs: WAIT_MS,
      label: 'eventchat Auth',
    });
    expect(ecAuth).toEqual({ event: 'Auth', data: { Code: 200, message: expect.any(String) } });
    await ec.next('users', undefined, WAIT_MS);

    // chatroom: an account, a token from the dialect's login route, {username, token}, connect_to_room.
    crUser = await api<CreatedUser>(srv, 'POST', '/api/v1/apps/1/users', {
      username: 'cr_bob',
      password: 'cr-bob-password',
    });
    const login = await post<{ token: string }>(srv, '/chatroom/login-user', {
      username: 'cr_bob',
      password: 'cr-bob-password',
    });
    expect(login.status).toBe(200);
    cr = chatrooms.open(srv);
    cr.username = 'cr_bob';
    cr.token = login.body.token;
    seat.chatroom = chatroomSeat(cr, 'cr_bob');
    await cr.opened;
    cr.hello(true);
    cr.command('connect_to_room', { username: 'cr_bob', roomName: LOBBY });
    const connected = await cr.next((f) => f.type === 'connect_to_room', WAIT_MS);
    expect(connected).toMatchObject({ statusCode: 'ok', data: { roomName: LOBBY } });

    // moneypot: a mod, authenticated with the sha256 of an access token.
    mp = moneypots.client(srv);
    seat.moneypot = moneypotSeat(mp, 'mp_mod');
    await mp.connected();
    const mpAuth = await mpAuthenticate(mp, await hashedToken(srv, 'mp_mod', 'mod'));
    expect(mpAuth.err).toBeNull();
    expect(mpAuth.data).toMatchObject({ user: { uname: 'mp_mod', role: 'mod' } });

    // numeric: a guest by its URL, joining #lobby.
    nu = numerics.open(srv, 'nu_dan');
    seat.numeric = numericSeat(nu, 'nu_dan');
    await nu.opened;
    await nu.next(isType(2, { user: 'nu_dan' }), WAIT_MS);
    nu.send({ type: 4, channel: `#${LOBBY}` });
    await nu.next(isType(4, { channel: LOBBY, user: 'nu_dan' }), WAIT_MS);

    // native: a token user joining the lobby.
    na = await nativeUser('na_eve');
    seat.native = nativeSeat(na, 'na_eve');
    na.on('muted', (event) => nativeMutes.push(event));
    await na.connect();
    await na.join(LOBBY);

    seats = [seat.eventchat, seat.chatroom, seat.moneypot, seat.numeric, seat.native];
    // Everyone is in: the last to come (native) is seen by the other four.
    await Promise.all(
      seats
        .filter((s) => s !== seat.native)
        .map((s) => waitObserved(s, isPresence('join', 'na_eve'), 'na_eve joining')),
    );
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

  it("each sees every other's messages in its own dialect's shape", async () => {
    const sent = seats.map((s) => ({ from: s, text: uniqueText(`from-${s.dialect}`) }));
    await Promise.all(sent.map(({ from, text }) => say(from.dialect, text)));

    for (const { from, text } of sent) {
      const ids = new Set<number>();
      for (const to of seats) {
        const { observation } = await waitObserved(to, isMessage(from.username, text), text);
        expect(observation.raw, `${from.dialect} → ${to.dialect}`).toEqual(
          messageShape(to.dialect, from.username, text),
        );
        const id = messageId(to.dialect, observation.raw);
        if (id !== null) ids.add(id);
      }
      // eventchat, moneypot and native name the message by the same Parley id.
      expect(ids.size, `ids of ${text}`).toBe(1);
    }
    // Each message arrived once at each seat.
    for (const to of seats) {
      for (const { text } of sent) expect(messageTexts(to).filter((t) => t === text)).toHaveLength(1);
    }
  });

  it('each sees a native and a numeric user join and leave, at once', async () => {
    const visits: [string, string, Visit][] = [
      ['na_vic', 'member', await nativeVisit('na_vic')],
      ['nu_vic', 'guest', await numericVisit('nu_vic')],
    ];
    seats.forEach((s, i) => {
      const order: number[] = [];
      for (const [user, role, visit] of visits) {
        for (const kind of ['join', 'leave'] as const) {
          const seen = visit[kind][i];
          expect(seen?.observation.raw, `${s.dialect}: ${kind} of ${user}`).toEqual(
            presenceShape(s.dialect, kind, user, role),
          );
          order.push(seen?.index ?? -1);
        }
      }
      // In order: na_vic joins, leaves, then nu_vic joins, leaves.
      expect(order, `${s.dialect}: order`).toEqual([...order].sort((a, b) => a - b));
    });
  });

  it('each join and leave is announced once at every seat', async () => {
    await nativeVisit('na_two');
    await numericVisit('nu_two');
    // Everything the server sent before a later message has arrived once that message has.
    await barrier();
    const counts = seats.map((s) => ({
      seat: `${s.dialect} (${s.username})`,
      seen: ['na_two', 'nu_two'].flatMap((user) =>
        (['join', 'leave'] as const).map(
          (kind) => `${kind} ${user} ×${s.observed().filter(isPresence(kind, user)).length}`,
        ),
      ),
    }));
    const expected = ['join na_two ×1', 'leave na_two ×1', 'join nu_two ×1', 'leave nu_two ×1'];
    expect(counts).toEqual(seats.map((s) => ({ seat: `${s.dialect} (${s.username})`, seen: expected })));
  });

  it('a numeric logout (type 3) is a leave at once in every dialect, long before the grace period', async () => {
    // Beside the five seats: a native socket.io user in the lobby and a socketapi user (app-wide status).
    const { token } = await api<{ token: string }>(srv, 'POST', '/api/v1/apps/1/tokens', {
      username: 'na_sio',
    });
    const sio = natives.client(srv, 'socket.io', { token }, { requestTimeoutMs: WAIT_MS });
    const sioSeat = nativeSeat(sio, 'na_sio');
    await sio.connect();
    await sio.join(LOBBY);
    const sa = await socketapis.user(srv, 'sa_watch');
    const watchers = [...seats, sioSeat];

    const nick = 'nu_bye';
    const visitor = numerics.open(srv, nick);
    await visitor.opened;
    await visitor.next(isType(2, { user: nick }), WAIT_MS);
    visitor.send({ type: 4, channel: `#${LOBBY}` });
    await visitor.next(isType(4, { channel: LOBBY, user: nick }), WAIT_MS);
    const joined = await waitObserved(sioSeat, isPresence('join', nick), 'join');
    const userId = (joined.observation.raw as ClientEventMap['presence_join']).user.id;
    await Promise.all(watchers.map((s) => waitObserved(s, isPresence('join', nick), 'join')));

    const loggedOutAt = Date.now();
    visitor.send({ type: 3 });
    expect((await visitor.closed).code).toBe(1000);
    const left = await Promise.all(watchers.map((s) => waitObserved(s, isPresence('leave', nick), 'leave')));
    watchers.forEach((s, i) => {
      expect(left[i]?.observation.raw, `${s.dialect}: leave of ${nick}`).toEqual(
        presenceShape(s.dialect, 'leave', nick, 'guest'),
      );
    });
    // The app-wide forms of the same departure: numeric type 3, socketapi's offline status.
    await waitFor(() => nu.frames.find(isType(3, { user: nick })), {
      timeoutMs: WAIT_MS,
      label: `numeric type 3 of ${nick}`,
    });
    await sa.next<Rec>(
      'online-status-updated',
      (d) => d.userId === userId && d.onlineStatus === 'offline',
      WAIT_MS,
    );
    // The server's grace period is 60 s: only an immediate announcement arrives this soon.
    expect(Date.now() - loggedOutAt).toBeLessThan(10_000);
    sio.close();
  });

  it('a socketapi user hears channel-created for rooms created from chatroom and native', async () => {
    const sa = socketapis.open(srv, { app: '1' });
    if (!sa.connected) await once(sa.socket, 'connect', { timeoutMs: WAIT_MS, rejectOn: ['connect_error'] });
    sa.emit('auth', { transaction: 'all-in', data: await tokenFor(srv, 'sa_sam') });
    const authed = await sa.next<Rec>('auth-success', undefined, WAIT_MS);
    expect(authed.data).toEqual({ transaction: 'all-in', userId: expect.any(Number) });

    // From the chatroom dialect: create_room (no reply on success).
    const fromChatroom = 'allin chatroom room';
    cr.command('create_room', { username: cr.username, roomName: fromChatroom });
    const created = await sa.next<Rec>('channel-created', (d) => d.name === fromChatroom, WAIT_MS);
    expect(created.data).toEqual({
      id: expect.any(Number),
      name: fromChatroom,
      is_private: false,
      workspace_id: 1,
      creator_id: crUser.id,
    });
    const listed = await na.listRooms();
    expect(listed.find((r) => r.name === fromChatroom)?.id).toBe(created.data.id);

    // From the native protocol: rooms.create.
    const fromNative = 'allin-native-room';
    const room = await na.createRoom(fromNative);
    const createdNative = await sa.next<Rec>('channel-created', (d) => d.name === fromNative, WAIT_MS);
    expect(createdNative.data).toEqual({
      id: room.id,
      name: fromNative,
      is_private: false,
      workspace_id: 1,
      creator_id: na.user?.id,
    });
  });

  it('a mute issued from moneypot is enforced in every dialect, and nobody gets the refused text', async () => {
    // A moneypot member too, so that the moneypot dialect has someone to hold back (mods never are).
    const meg = moneypots.client(srv);
    const megSeat = moneypotSeat(meg, 'mp_meg');
    await meg.connected();
    expect((await mpAuthenticate(meg, await hashedToken(srv, 'mp_meg'))).err).toBeNull();
    await Promise.all(seats.map((s) => waitObserved(s, isPresence('join', 'mp_meg'), 'mp_meg joining')));

    const targets = ['ec_ann', 'cr_bob', 'nu_dan', 'na_eve', 'mp_meg'];
    for (const target of targets) {
      expect(await mpSend(mp, `/mute ${target} 5`)).toBeNull();
      await waitFor(
        () => mp.named<string>('system_message').includes(`User "${target}" muted for 5 minutes`),
        {
          timeoutMs: WAIT_MS,
          label: `the confirmation of muting ${target}`,
        },
      );
    }
    // Every moneypot socket hears each mute; each target that has a form for it is told.
    for (const client of [mp, meg]) {
      for (const target of targets) {
        await waitFor(() => client.named<Rec>('user_muted').find((m) => m.uname === target), {
          timeoutMs: WAIT_MS,
          label: `user_muted ${target}`,
        }).then((m) => expect(m).toEqual({ uname: target, mins: 5, expires_at: expect.any(String) }));
      }
    }
    const ecMute = await waitFor(() => ec.all('mute')[0], { timeoutMs: WAIT_MS, label: 'eventchat mute' });
    expect(ecMute).toEqual({ duration: expect.any(Number) });
    expect(ecMute.duration).toBeGreaterThan(240);
    expect(ecMute.duration).toBeLessThanOrEqual(300);
    await cr.next(
      (f) =>
        f.type === 'receive_message' &&
        JSON.stringify(f.data) ===
          JSON.stringify({ author: '[Room]', message: 'You have been muted for 5 minutes.' }),
      WAIT_MS,
    );
    const naMute = await waitFor(() => nativeMutes.find((m) => m.user.username === 'na_eve'), {
      timeoutMs: WAIT_MS,
      label: 'native muted',
    });
    expect(naMute).toMatchObject({ room: null, minutes: 5, by: { username: 'mp_mod' } });
    // The native protocol tells the whole app of an app-wide mute.
    await waitFor(() => targets.every((t) => nativeMutes.some((m) => m.user.username === t)), {
      timeoutMs: WAIT_MS,
      label: 'native muted events for every target',
    });

    const hidden = new Map<string, string>(targets.map((t) => [t, uniqueText(`hidden-${t}`)]));
    const hiddenText = (target: string) => hidden.get(target) ?? '';

    // eventchat: `mute {duration}`, then `cerror 403`.
    const ecMark = ec.mark();
    ec.emit('message', { content: hiddenText('ec_ann'), raw_content: hiddenText('ec_ann') });
    const ecAfter = await waitFor(
      () => {
        const after = ec.frames.slice(ecMark);
        return after.some((f) => f.event === 'cerror') ? after : null;
      },
      { timeoutMs: WAIT_MS, label: 'eventchat cerror' },
    );
    expect(ecAfter.map((f) => f.event)).toEqual(['mute', 'cerror']);
    expect(ecAfter[0]?.data).toEqual({ duration: expect.any(Number) });
    expect(ecAfter[1]?.data).toEqual({ Code: 403, message: expect.any(String) });

    // chatroom: an error frame of type send_message.
    cr.command('send_message', { roomName: LOBBY, author: cr.username, message: hiddenText('cr_bob') });
    expect(await chatroomReply()).toEqual({
      statusCode: 'error',
      type: 'send_message',
      data: { message: expect.stringMatching(/^You are muted for [45] minutes$/) },
    });

    // moneypot: MUTED to the callback, after system_message "You are muted".
    const megSystem = meg.named('system_message').length;
    expect(await mpSend(meg, hiddenText('mp_meg'))).toBe('MUTED');
    expect(meg.named('system_message').slice(megSystem)).toEqual(['You are muted']);

    // numeric: {type: -1}.
    const nuMark = nu.frames.length;
    nu.send({ type: 0, dest: `#${LOBBY}`, message: hiddenText('nu_dan') });
    const nuError = await waitFor(() => nu.frames.slice(nuMark).find((f) => f.type === -1), {
      timeoutMs: WAIT_MS,
      label: 'numeric type -1',
    });
    expect(nuError).toEqual({
      type: -1,
      time: expect.any(Number),
      message: expect.stringMatching(/^You are muted for [45] minutes$/),
    });

    // native: the error code `muted`.
    await expect(na.send(LOBBY, hiddenText('na_eve'))).rejects.toMatchObject({ code: 'muted' });

    // The unmuted mod's marker reaches everyone; no refused text ever did.
    const marker = uniqueText('marker');
    await say('moneypot', marker);
    for (const s of [...seats, megSeat]) {
      await waitObserved(s, isMessage('mp_mod', marker), marker);
      const texts = messageTexts(s);
      for (const text of hidden.values()) expect(texts, `${s.dialect} (${s.username})`).not.toContain(text);
    }
    // Nor was any stored: the lobby's history ends with the marker.
    const history = await na.history(LOBBY, { limit: 10 });
    const storedTexts = history.messages.map((m) => m.text);
    expect(storedTexts.at(-1)).toBe(marker);
    for (const text of hidden.values()) expect(storedTexts).not.toContain(text);
  });
});
