import { userNotFound } from '../../core/failures.js';
import type { ProfilePatch } from '../../core/profiles.js';
import type { AppId, User, UserId } from '../../core/types.js';
import type { ProfileStore } from '../../engine/ports/profileStore.js';
import { profileParams, USER_COLUMNS } from '../profileSql.js';
import { toUser, type UserRow } from '../rows.js';
import { sql, type Db } from './db.js';

const update = sql(
  'profiles.set',
  `UPDATE users SET
     display_name = CASE WHEN $3::int = 1 THEN $4::text ELSE display_name END,
     avatar_url = CASE WHEN $5::int = 1 THEN $6::text ELSE avatar_url END
   WHERE app_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
);

export class PostgresProfileStore implements ProfileStore {
  constructor(private readonly db: Db) {}

  async setProfile(appId: AppId, userId: UserId, patch: ProfilePatch): Promise<User> {
    const p = profileParams(patch);
    const [row] = await this.db.query<UserRow>(update, [
      appId,
      userId,
      p.setName,
      p.name,
      p.setAvatar,
      p.avatar,
    ]);
    if (!row) throw userNotFound();
    return toUser(row);
  }
}
