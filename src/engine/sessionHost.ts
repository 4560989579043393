import { BacklogRule } from '../core/backlog.js';
import type { AppId, Mute } from '../core/types.js';
import type { Admin } from './admin.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { Channels } from './channels.js';
import type { Dms } from './dms.js';
import type { EngineContext } from './context.js';
import type { Identity } from './identity.js';
import type { Messages } from './messages.js';
import type { Moderator } from './moderator.js';
import type { OperationLimiter } from './operationLimiter.js';
import type { Pins } from './pins.js';
import type { Presence } from './presence.js';
import type { Profiles } from './profiles.js';
import type { Replies } from './replies.js';
import type { Reactions } from './reactions.js';
import type { ReadState } from './readState.js';
import type { Reports } from './reports.js';
import type { Rooms } from './rooms.js';
import type { Search } from './search.js';
import type { SessionHost } from './session.js';
import type { Sessions } from './sessions.js';
import type { ShadowMutes } from './shadowMutes.js';
import type { PageRooms } from './pageRooms.js';
import type { Strikes } from './strikes.js';
import type { Upgrades } from './upgrade.js';
import { viewOf } from './visibility.js';

export interface SessionHostParts {
  catalog: Catalog;
  channels: Channels;
  sessions: Sessions;
  presence: Presence;
  broadcast: Broadcast;
  rooms: Rooms;
  messages: Messages;
  identity: Identity;
  admin: Admin;
  moderator: Moderator;
  limits: OperationLimiter;
  replyThreads: Replies;
  pinBoard: Pins;
  reactions: Reactions;
  reads: ReadState;
  dms: Dms;
  /** The engine's own list, which the named list is made from. */
  listMutes(appId: AppId): Promise<Mute[]>;
  search: Search;
  upgrades: Upgrades;
  profiles: Profiles;
  reportQueue: Reports;
  shadowMutes: ShadowMutes;
  strikes: Strikes;
  pageRooms: PageRooms;
}

/**
 * What sessions see of the engine, wired from its parts. The parts are read when a session calls, not when
 * the host is made: the engine makes the host before the parts that open sessions exist.
 */
export function sessionHost(ctx: EngineContext, parts: () => SessionHostParts): SessionHost {
  // Shared by every session's rule rather than made for each (what an idle connection costs counts).
  const backlogLimits = () => ({
    softBytes: ctx.config.outboundBufferBytes,
    hardBytes: ctx.config.outboundHardCapBytes,
    graceMs: ctx.config.slowConsumerGraceMs,
  });
  const now = () => ctx.clock.now();
  return {
    clock: ctx.clock,
    config: ctx.config,
    backlogRule: () => new BacklogRule(backlogLimits, now),
    get moderator() {
      return parts().moderator;
    },
    get reads() {
      return parts().reads;
    },
    limits: {
      takeHere: (caller, op) => parts().limits.takeHere(caller, op),
      enforce: (caller, op) => {
        // A send over the flood limit is a strike toward escalation (at most one per burst: strikes.ts).
        const strike = (err: unknown): never => {
          if (op === 'send' && !caller.anonymous) parts().strikes.flood(caller.appId, caller.user.id);
          throw err;
        };
        try {
          return parts().limits.enforce(caller, op)?.catch(strike);
        } catch (err) {
          return strike(err);
        }
      },
    },
    slowConsumer: () => ctx.metrics.slowConsumerDisconnected(),
    forget: (session, immediate) => parts().sessions.forget(session, immediate),
    watchAppPresence: (session) => parts().sessions.watchAppPresence(session),
    liveChannel: (roomId) => parts().channels.get(roomId),
    openChannel: (room) => parts().channels.open(room),
    getApp: (appId) => parts().catalog.getApp(appId),
    findRoom: (appId, name) => parts().catalog.findRoom(appId, name),
    canSee: (room, user) => parts().catalog.canSee(room, user),
    visibleRooms: (appId, user) => parts().catalog.visibleRooms(appId, user),
    describeRoom: (room) => parts().catalog.roomView(room),
    createRoom: (appId, input, creator, how) => parts().rooms.create(appId, input, creator, how),
    createMissingRoom: (appId, name, creator) => parts().rooms.createMissing(appId, name, creator),
    roomOnline: (room) => parts().presence.roomOnline(room),
    online: (appId) => parts().presence.online(appId),
    roomEvent: (room, event, except) => parts().broadcast.roomEvent(room, event, except),
    post: (input) => parts().messages.post(input),
    edit: (app, room, actor, messageId, text) => parts().messages.edit(app, room, actor, messageId, text),
    remove: (room, actor, messageId) => parts().messages.remove(room, actor, messageId),
    replay: (room, app, sinceSeq, readerId) => parts().messages.replay(room, app, sinceSeq, readerId),
    history: (room, query, readerId) => parts().messages.history(room, query, readerId),
    namedMutes: async (appId) => parts().admin.withNames(appId, await parts().listMutes(appId)),
    reauthenticate: (appId, credentials) => parts().identity.reauthenticate(appId, credentials),
    upgrade: (session, request) => parts().upgrades.upgrade(session, request),
    replies: (room, parentId, query, readerId) =>
      parts().replyThreads.thread(room, parentId, query, readerId),
    pin: (room, actor, messageId) => parts().pinBoard.pin(room, actor, messageId),
    unpin: (room, actor, messageId) => parts().pinBoard.unpin(room, actor, messageId),
    pins: (room, readerId) => parts().pinBoard.list(room, readerId),
    get reactions() {
      return parts().reactions;
    },
    search: (appId, user, query) => parts().search.forUser(appId, user, query),
    get dms() {
      return parts().dms;
    },
    async listDms(appId, user, blocked) {
      const dms = await parts().dms.list(appId, user, blocked);
      const rooms = await parts().reads.withUnread(
        appId,
        user,
        dms.map((dm) => dm.room),
      );
      // A newest message the user may not see (visibility.ts) is shown as none.
      const viewer = { user, anonymous: false };
      return dms.map((dm, i) => ({
        ...dm,
        room: rooms[i] ?? dm.room,
        lastMessage: dm.lastMessage && viewOf(viewer, dm.lastMessage),
      }));
    },
    get profiles() {
      return parts().profiles;
    },
    get reportQueue() {
      return parts().reportQueue;
    },
    get shadowMutes() {
      return parts().shadowMutes;
    },
    setSlowMode: (room, seconds, by) => parts().rooms.setSlowMode(room, seconds, by),
    pageRoom: (appId, url, creator) => parts().pageRooms.resolve(appId, url, creator),
  };
}
