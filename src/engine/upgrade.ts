import { disconnect } from '../core/disconnect.js';
import { isDmRoomName } from '../core/dms.js';
import { onlyGuestsUpgrade, sessionClosed, upgradeToGuest } from '../core/failures.js';
import type { UserRef } from '../core/types.js';
import type { UpgradeRequest, UpgradeResult } from './api.js';
import type { Broadcast } from './broadcast.js';
import type { Catalog } from './catalog.js';
import type { Channels } from './channels.js';
import type { EngineContext } from './context.js';
import type { Dms } from './dms.js';
import type { Identity } from './identity.js';
import type { Presence } from './presence.js';
import type { EngineSession } from './session.js';
import type { Sessions } from './sessions.js';
import { toRoomRef } from './views.js';

export interface UpgradeParts {
  identity: Pick<Identity, 'upgrade'>;
  catalog: Pick<Catalog, 'getApp' | 'findRoom'>;
  sessions: Pick<Sessions, 'othersOf' | 'moved'>;
  channels: Pick<Channels, 'get'>;
  presence: Pick<Presence, 'renamed'>;
  broadcast: Pick<Broadcast, 'roomEvent' | 'disconnectUser'>;
  dms: Pick<Dms, 'attach'>;
}

/** What the guest's other connections are told when they are closed. */
const SIGNED_IN_ELSEWHERE = 'The guest signed in as a user on another connection';

/**
 * A guest who signs in on a live connection becomes that user in place: the connection keeps its socket and
 * its rooms, and each room hears one `user_renamed` instead of the guest leaving and the user joining. The
 * presence directory follows quietly, here and (from the `user_renamed` each room's event carries over the
 * bus) on every other node; app-wide, the guest goes offline and the user comes online as usual.
 *
 * The guest's other connections (the same resume token in another tab: rare) are closed with `logout`, on
 * every node: they hold only the guest's credentials, and the person they belong to is now the user.
 */
export class Upgrades {
  constructor(
    private readonly ctx: EngineContext,
    private readonly parts: UpgradeParts,
  ) {}

  async upgrade(session: EngineSession, request: UpgradeRequest): Promise<UpgradeResult> {
    const from = session.user;
    if (session.principal.user.kind !== 'guest') throw onlyGuestsUpgrade();
    const { identity, sessions, channels, presence, broadcast } = this.parts;
    const result = await identity.upgrade(session.appId, request);
    const to = result.principal.user;
    if (to.kind === 'guest') throw upgradeToGuest();
    await this.carryOver(session, from, to.id);
    if (session.isClosed) throw sessionClosed();
    // Another upgrade of the session may have finished while this one waited.
    if (session.user.id !== from.id) throw onlyGuestsUpgrade();

    // From here on nothing waits: the switch is seen whole by everything on this node.
    for (const other of sessions.othersOf(session)) {
      other.terminate(disconnect('logout', SIGNED_IN_ELSEWHERE));
    }
    const rooms = session.become(result.principal);
    sessions.moved(session, from);
    this.parts.dms.attach(session);
    for (const room of rooms) {
      const gone = channels.get(room.id)?.moved(session, from) ?? false;
      const ref = toRoomRef(channels.get(room.id)?.room ?? room);
      presence.renamed(room.appId, ref, from, session.user, this.ctx.nodeId, gone);
      broadcast.roomEvent(room, { type: 'user_renamed', room: ref, from, to: session.user });
    }
    // Those on other nodes (this node's are closed above, so only the others' are left to close).
    broadcast.disconnectUser(session.appId, from.id, 'logout');
    return result;
  }

  /**
   * What the user takes over from the guest before the switch: membership of the private rooms the session is
   * in (not the guest's DMs, which are the guest's pair), and the guest's messages where the app links them.
   */
  private async carryOver(session: EngineSession, from: UserRef, toId: number): Promise<void> {
    const { store } = this.ctx;
    for (const name of session.rooms) {
      if (isDmRoomName(name)) continue;
      const room = await this.parts.catalog.findRoom(session.appId, name);
      if (room.visibility === 'private') await this.ctx.track(store.directory.addRoomMember(room.id, toId));
    }
    const app = await this.parts.catalog.getApp(session.appId);
    if (app.settings.linkGuestMessages)
      await this.ctx.track(store.guests.linkMessages(session.appId, from.id, toId));
  }
}
