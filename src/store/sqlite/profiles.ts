import type Database from 'better-sqlite3';
import { userNotFound } from '../../core/failures.js';
import type { ProfilePatch } from '../../core/profiles.js';
import type { AppId, User, UserId } from '../../core/types.js';
import type { ProfileStore } from '../../engine/ports/profileStore.js';
import { profileParams, USER_COLUMNS } from '../profileSql.js';
import { toUser, type UserRow } from '../rows.js';
import { guard } from './errors.js';

type Params = ReturnType<typeof profileParams> & { appId: number; id: number };

export class SqliteProfileStore implements ProfileStore {
  private readonly update: Database.Statement<Params, UserRow>;

  constructor(private readonly db: Database.Database) {
    this.update = db.prepare<Params, UserRow>(
      `UPDATE users SET
         display_name = CASE WHEN @setName = 1 THEN @name ELSE display_name END,
         avatar_url = CASE WHEN @setAvatar = 1 THEN @avatar ELSE avatar_url END
       WHERE app_id = @appId AND id = @id RETURNING ${USER_COLUMNS}`,
    );
  }

  async setProfile(appId: AppId, userId: UserId, patch: ProfilePatch): Promise<User> {
    return guard(this.db, () => {
      const row = this.update.get({ ...profileParams(patch), appId, id: userId });
      if (!row) throw userNotFound();
      return toUser(row);
    });
  }
}
