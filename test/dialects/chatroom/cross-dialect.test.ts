/**
 * The chatroom dialect and the native protocol in the same app and room: messages both ways, presence both
 * ways, app-wide online state, and a mute issued natively enforced on the chatroom connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/wait.js';
import {
  ClientPool,
  events,
  NO_FLOOD,
  patchApp,
  register,
  setRole,
  TRANSPORTS,
} from '../../native/helpers.js';
import { ChatroomPool, registerUser, type ChatroomClient, type Frame } from './helpers.js';

describe.each(TRANSPORTS)('chatroom and native (%s) in one room', (transport) => {
  let srv: TestServer;
  const chatrooms = new ChatroomPool();
  const natives = new ClientPool();
  const tag = transport === 'ws' ? 'w' : 's';
  let cara: ChatroomClient;
  let nateToken: string;

  beforeAll(async () => {
    srv = await startTestServer({ engine: { presenceGraceMs: 0 } });
    await patchApp(srv, NO_FLOOD);
    nateToken = await register(srv, `nate${tag}`, 'nate-password');
    await setRole(srv, `nate${tag}`, 'mod');
  });
  afterEach(() => {
    chatrooms.closeAll();
    natives.closeAll();
  });
  afterAll(async () => {
    chatrooms.closeAll();
    natives.closeAll();
    await srv?.close();
  });

  async function chatroomUser(name: string): Promise<ChatroomClient> {
    const token = await registerUser(srv, name);
    return chatrooms.ready(srv, name, token, { withToken: true });
  }

  async function connect(client: ChatroomClient, roomName: string): Promise<Frame> {
    client.command('connect_to_room', { username: client.username, roomName });
    for (;;) {
      const frame = await client.shift();
      if (frame.type === 'connect_to_room') return frame;
    }
  }

  it('messages, /me actions and presence cross between the dialects', async () => {
    cara = await chatroomUser(`cara${tag}`);
    const room = `mixed ${tag}`;
    cara.command('create_room', { username: cara.username, roomName: room });
    await connect(cara, room);

    const nate = natives.client(srv, transport, { token: nateToken });
    await nate.connect();
    const nateMessages = events(nate, 'message');
    const natePresence = events(nate, 'presence_join');
    const nateLeaves = events(nate, 'presence_leave');
    const joined = await nate.join(room);
    expect(joined.online.map((u) => u.username)).toContain(cara.username);
    await cara.receive((d) => d.author === '[Room]' && d.message === `nate${tag} has connected.`);

    // native → chatroom
    await nate.send(room, 'hello from native');
    expect(await cara.receive((d) => d.message === 'hello from native')).toEqual({
      statusCode: 'ok',
      type: 'receive_message',
      data: { author: `nate${tag}`, message: 'hello from native' },
    });
    await nate.send(room, '/me dances');
    expect((await cara.receive((d) => d.author === `nate${tag}`)).data.message).toBe(`* nate${tag} dances`);

    // chatroom → native
    cara.command('send_message', { roomName: room, author: cara.username, message: 'hello from chatroom' });
    const got = await nateMessages.next((e) => e.message.text === 'hello from chatroom');
    expect(got.message.author?.username).toBe(cara.username);
    expect(got.room.name).toBe(room);

    // presence: a second chatroom user joining is seen natively; leaving likewise
    const dan = await chatroomUser(`dan${tag}`);
    const reply = await connect(dan, room);
    expect([...(reply.data as { usernames: string[] }).usernames].sort()).toEqual(
      [cara.username, dan.username, `nate${tag}`].sort(),
    );
    await natePresence.next((e) => e.user.username === dan.username);
    dan.command('disconnect_from_room', { username: dan.username, roomName: room });
    await nateLeaves.next((e) => e.user.username === dan.username);
    // a chatroom user closing the socket leaves too
    await connect(dan, room);
    await natePresence.next((e) => e.user.username === dan.username);
    dan.close();
    await nateLeaves.next((e) => e.user.username === dan.username);
    await cara.receive((d) => d.author === '[Room]' && d.message === `${dan.username} has disconnected.`);

    // native leaves → chatroom is told
    await nate.leave(room);
    await cara.receive((d) => d.author === '[Room]' && d.message === `nate${tag} has disconnected.`);
    nate.close();
  });

  it('a chatroom user is online app-wide for native clients', async () => {
    const nate = natives.client(srv, transport, { token: nateToken });
    await nate.connect();
    await nate.watchOnline();
    const online = events(nate, 'user_online');
    const offline = events(nate, 'user_offline');
    const eve = await chatroomUser(`eve${tag}`);
    await online.next((e) => e.user.username === eve.username);
    eve.close();
    await offline.next((e) => e.user.username === eve.username);
  });

  it('a mute issued natively is enforced on the chatroom connection', async () => {
    const fred = await chatroomUser(`fred${tag}`);
    const room = `moderated ${tag}`;
    fred.command('create_room', { username: fred.username, roomName: room });
    await connect(fred, room);
    const nate = natives.client(srv, transport, { token: nateToken });
    await nate.connect();
    const nateMessages = events(nate, 'message');
    await nate.join(room);
    await fred.receive((d) => d.message === `nate${tag} has connected.`);

    await nate.mute(fred.username, { room, minutes: 10, reason: 'too loud' });
    await fred.receive(
      (d) => d.author === '[Room]' && d.message === 'You have been muted for 10 minutes: too loud.',
    );
    fred.command('send_message', { roomName: room, author: fred.username, message: 'let me speak' });
    const refused = await fred.next((f) => f.statusCode === 'error');
    expect(refused).toMatchObject({
      type: 'send_message',
      data: { message: expect.stringMatching(/muted/) },
    });

    // nothing reached the room: the native marker arrives with no message of fred's before it
    await nate.send(room, 'marker');
    await nateMessages.next((e) => e.message.text === 'marker');
    expect(nateMessages.items.filter((e) => e.message.author?.username === fred.username)).toEqual([]);

    // the unmute is told too, and the user can speak again
    await nate.unmute(fred.username, { room });
    await fred.receive((d) => d.message === 'You are no longer muted.');
    fred.command('send_message', { roomName: room, author: fred.username, message: 'thanks' });
    await nateMessages.next(
      (e) => e.message.text === 'thanks' && e.message.author?.username === fred.username,
    );
    await waitFor(() => fred.frames.some((f) => f.statusCode === 'ok' && f.type === ''), {
      label: 'the ack',
    });
  });

  it('a moderator in the chatroom dialect mutes a native user with /mute; the refusal for others is an error', async () => {
    const gail = await chatroomUser(`gail${tag}`);
    await setRole(srv, gail.username, 'mod');
    const room = `slash ${tag}`;
    gail.command('create_room', { username: gail.username, roomName: room });
    await connect(gail, room);
    const memberToken = await register(srv, `mia${tag}`, 'mia-password');
    const mia = natives.client(srv, transport, { token: memberToken });
    await mia.connect();
    const miaMuted = events(mia, 'muted');
    await mia.join(room);

    gail.command('send_message', {
      roomName: room,
      author: gail.username,
      message: `/mute mia${tag} 5 spam`,
    });
    expect(await gail.next((f) => f.type === '')).toEqual({ statusCode: 'ok', type: '', data: {} });
    await gail.receive((d) => d.author === '[Room]' && d.message.startsWith(`User "mia${tag}" muted`));
    expect((await miaMuted.next()).user.username).toBe(`mia${tag}`);
    await expect(mia.send(room, 'hello?')).rejects.toMatchObject({ code: 'muted' });

    // a plain member typing /mute is refused: an error reply, and the [Room] line says why
    const hal = await chatroomUser(`hal${tag}`);
    await connect(hal, room);
    hal.command('send_message', { roomName: room, author: hal.username, message: `/mute gail${tag} 5` });
    const refused = await hal.next((f) => f.statusCode === 'error');
    expect(refused).toMatchObject({ type: 'send_message', data: { message: expect.any(String) } });
    await hal.receive(
      (d) => d.author === '[Room]' && d.message === (refused.data as { message: string }).message,
    );
  });
});
