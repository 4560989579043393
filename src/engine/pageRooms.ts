import { createHash } from 'node:crypto';
import { ParleyError } from '../core/errors.js';
import { canonicalPageUrl, PAGE_ROOM_PREFIX, pageRoomLimit, pageRoomsOff } from '../core/pageRooms.js';
import type { App, AppId, Room, UserRef } from '../core/types.js';
import type { EngineContext } from './context.js';

/** What `rooms.page` answers: the room's name (to join), the canonical URL, and whether this call created it. */
export interface PageRoomResult {
  room: string;
  url: string;
  created: boolean;
}

export interface PageRoomsDeps {
  getApp(appId: AppId): Promise<App>;
}

/**
 * Page-scoped rooms (core/pageRooms.ts): the room of a page, created the first time someone asks for it where
 * the app allows it, up to the app's `pageRooms.maxRooms`. The room is public, its topic the canonical URL; it
 * is not announced with `room_created` (a site with many pages would tell every client of each new one) and
 * room lists leave it out (catalog.ts): it is reached through its page. On a page outside the app's
 * `allowedOrigins` the answer is `forbidden`, so one site cannot open rooms for another's pages.
 */
export class PageRooms {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: PageRoomsDeps,
  ) {}

  async resolve(appId: AppId, rawUrl: unknown, creator: UserRef | null): Promise<PageRoomResult> {
    const app = await this.deps.getApp(appId);
    const setting = app.settings.pageRooms;
    const url = canonicalPageUrl(rawUrl, setting.keepQuery);
    const allowed = app.settings.allowedOrigins;
    if (allowed !== null && !allowed.includes('*') && !allowed.includes(new URL(url).origin)) {
      throw new ParleyError('forbidden', "The page is not on one of the app's allowed origins", {
        field: 'url',
      });
    }
    const name = pageRoomName(url);
    const directory = this.ctx.store.directory;
    if (await directory.findRoomByName(appId, name)) return { room: name, url, created: false };
    if (!setting.enabled) throw pageRoomsOff();
    if ((await this.ctx.store.pageRooms.count(appId)) >= setting.maxRooms) {
      throw pageRoomLimit(setting.maxRooms);
    }
    try {
      await this.create(appId, name, url, creator);
      return { room: name, url, created: true };
    } catch (err) {
      // Another reader of the page created it at the same moment: theirs is the room.
      if (err instanceof ParleyError && err.code === 'conflict') return { room: name, url, created: false };
      throw err;
    }
  }

  private create(appId: AppId, name: string, url: string, creator: UserRef | null): Promise<Room> {
    const room = { name, visibility: 'public' as const, topic: url, createdBy: creator?.id ?? null };
    return this.ctx.track(this.ctx.store.directory.createRoom(appId, room, this.ctx.clock.now()));
  }
}

/** `page:` and the first 32 hex digits of the canonical URL's SHA-256: the same page, the same room. */
export function pageRoomName(canonicalUrl: string): string {
  return PAGE_ROOM_PREFIX + createHash('sha256').update(canonicalUrl).digest('hex').slice(0, 32);
}
