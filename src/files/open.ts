import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import type { FileStore } from '../engine/ports/fileStore.js';
import { DiskFileStore } from './diskFileStore.js';
import { S3FileStore } from './s3FileStore.js';

export interface FileStorageSettings {
  dataDir: string;
  s3Bucket: string | null;
  s3Endpoint: string | null;
  s3Region: string;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  s3ForcePathStyle: boolean;
}

/**
 * The file store the settings name (S3 when a bucket is set, else `<dataDir>/files`) and the key file URLs are
 * signed with: derived from the admin key, so that every node of a cluster signs alike and no other secret is
 * to be kept.
 */
export function openFileStore(
  settings: FileStorageSettings,
  adminKey: string,
): { store: FileStore; urlKey: Buffer; close(): void } {
  const urlKey = createHmac('sha256', adminKey).update('parley file urls').digest();
  if (settings.s3Bucket === null) {
    return { store: new DiskFileStore(join(settings.dataDir, 'files')), urlKey, close: () => {} };
  }
  if (settings.s3AccessKeyId === null || settings.s3SecretAccessKey === null) {
    throw new Error('s3Bucket needs s3AccessKeyId and s3SecretAccessKey');
  }
  const store = new S3FileStore({
    endpoint: settings.s3Endpoint,
    region: settings.s3Region,
    bucket: settings.s3Bucket,
    accessKeyId: settings.s3AccessKeyId,
    secretAccessKey: settings.s3SecretAccessKey,
    forcePathStyle: settings.s3ForcePathStyle,
  });
  return { store, urlKey, close: () => store.close() };
}
