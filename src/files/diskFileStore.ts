import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStore, StoredFile } from '../engine/ports/fileStore.js';
import { checkFileKey } from './keys.js';

/**
 * Files in a folder of the data directory (`<dataDir>/files`), the default. A file is written under a
 * temporary name and renamed, so that a reader never sees half of one.
 */
export class DiskFileStore implements FileStore {
  private ready: Promise<void> | null = null;

  constructor(private readonly dir: string) {}

  private made(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.ready;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    await this.made();
    const path = join(this.dir, checkFileKey(key));
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, bytes, { mode: 0o600 });
    await rename(temporary, path);
  }

  async read(key: string): Promise<StoredFile | null> {
    try {
      // Opened before answering, so that a missing file is a null rather than an error in mid-stream.
      const handle = await open(join(this.dir, checkFileKey(key)), 'r');
      const { size } = await handle.stat();
      return { size, stream: handle.createReadStream() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(join(this.dir, checkFileKey(key)), { force: true });
  }
}
