import type { AppId } from '../../core/types.js';

/**
 * What page rooms (engine/pageRooms.ts) need of the store beyond the directory, a field of the Store
 * (`store.pageRooms`). Page rooms are rooms like any other, named `page:…` (core/pageRooms.ts).
 */
export interface PageRoomStore {
  /** How many page rooms the app holds. */
  count(appId: AppId): Promise<number>;
}

/** Both stores' statement: `page:` holds no LIKE wildcard, and room names are stored as given. */
export const COUNT_PAGE_ROOMS = "SELECT count(*) AS n FROM rooms WHERE app_id = $1 AND name LIKE 'page:%'";
