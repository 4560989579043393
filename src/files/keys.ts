/** The engine's keys are its own ids (hex, a dot, a suffix): anything else is a bug, never a path to follow. */
const FILE_KEY = /^[a-z0-9]{1,64}(\.[a-z0-9]{1,16})?$/;

export function checkFileKey(key: string): string {
  if (!FILE_KEY.test(key)) throw new Error(`not a file key: ${JSON.stringify(key)}`);
  return key;
}
