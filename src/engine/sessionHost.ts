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
import type { Presence } from './presence.js';
import type { Rooms } from './rooms.js';
import type { SessionHost } from './session.js';
import type { Sessions } from './sessions.js';

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
  dms: Dms;
  /** The engine's own list, which the named list is made from. */
  listMutes(appId: AppId): Promise<Mute[]>;
}

/**
 * What sessions see of the engine, wired from its parts. The parts are read when a session calls, not when
 * the host is made: the engine makes the host before the parts that open sessions exist.
 */
export function sessionHost(ctx: EngineContext, parts: () => SessionHostParts): SessionHost {
  return {
    clock: ctx.clock,
    config: ctx.config,
    get moderator() {
      return parts().moderator;
    },
    limits: {
      take: (caller, op) => parts().limits.take(caller, op),
      enforce: (caller, op) => parts().limits.enforce(caller, op),
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
    replay: (room, app, sinceSeq) => parts().messages.replay(room, app, sinceSeq),
    history: (room, query) => parts().messages.history(room, query),
    namedMutes: async (appId) => parts().admin.withNames(appId, await parts().listMutes(appId)),
    reauthenticate: (appId, credentials) => parts().identity.reauthenticate(appId, credentials),
    get dms() {
      return parts().dms;
    },
  };
}
