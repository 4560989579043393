/**
 * The file store port's contract, run on both adapters: the data directory, and S3 through the AWS SDK against
 * the tests' own S3-compatible server (path style, signatures unchecked).
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileStore } from '../../src/engine/ports/fileStore.js';
import { DiskFileStore } from '../../src/files/diskFileStore.js';
import { S3FileStore } from '../../src/files/s3FileStore.js';
import { TestS3Server } from '../helpers/s3Server.js';
import { makeTempDir } from '../helpers/server.js';

interface Adapter {
  name: string;
  open(): Promise<{ store: FileStore; close(): Promise<void> }>;
}

const s3 = new TestS3Server();

const ADAPTERS: Adapter[] = [
  {
    name: 'disk',
    async open() {
      const dir = await makeTempDir('parley-files-');
      return { store: new DiskFileStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 's3',
    async open() {
      const store = new S3FileStore({
        endpoint: s3.url,
        region: 'us-east-1',
        bucket: 'parley-test',
        accessKeyId: 'test',
        secretAccessKey: 'test-secret',
        forcePathStyle: true,
      });
      return { store, close: async () => store.close() };
    },
  },
];

beforeAll(() => s3.start());
afterAll(() => s3.stop());

/** The whole content of a stored file, checking that the size given matches what the stream carries. */
async function readAll(store: FileStore, key: string): Promise<Buffer | null> {
  const stored = await store.read(key);
  if (!stored) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stored.stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  expect(bytes.length).toBe(stored.size);
  return bytes;
}

describe.each(ADAPTERS)('file store contract: $name', (adapter) => {
  let store: FileStore;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await adapter.open());
  });
  afterAll(() => close());

  it('keeps the bytes under the key, replaces them, answers null for none', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    await store.put('0123abcd', bytes, 'application/octet-stream');
    expect(await readAll(store, '0123abcd')).toEqual(bytes);
    await store.put('0123abcd', Buffer.from('second'), 'text/plain');
    expect((await readAll(store, '0123abcd'))?.toString()).toBe('second');
    expect(await readAll(store, 'ffff0000')).toBeNull();
  });

  it('deletes files, and a key without a file is not an error', async () => {
    await store.put('aaaa1111', Buffer.from('a'), 'text/plain');
    await store.put('aaaa1111.thumb', Buffer.from('thumb'), 'image/png');
    await store.delete(['aaaa1111', 'aaaa1111.thumb', 'bbbb2222']);
    expect(await readAll(store, 'aaaa1111')).toBeNull();
    expect(await readAll(store, 'aaaa1111.thumb')).toBeNull();
  });

  it('takes a file of megabytes whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await store.put('cccc3333', big, 'application/zip');
    expect((await readAll(store, 'cccc3333'))?.equals(big)).toBe(true);
  });

  it('refuses a key that is not its own shape (no paths from outside)', async () => {
    await expect(store.put('../escape', Buffer.from('x'), 'text/plain')).rejects.toThrow(/not a file key/);
    await expect(readAll(store, 'a/b')).rejects.toThrow(/not a file key/);
  });
});

describe('the S3 adapter', () => {
  it('writes path-style objects in the bucket with their content type', async () => {
    const store = new S3FileStore({
      endpoint: s3.url,
      region: 'us-east-1',
      bucket: 'files',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
    });
    await store.put('dddd4444', Buffer.from('hello'), 'text/plain');
    expect(s3.objects.get('/files/dddd4444')).toMatchObject({ type: 'text/plain' });
    store.close();
  });
});
