import { badField } from './failures.js';
import type { RoomVisibility } from './types.js';

export const TOPIC_MAX = 500;

export function checkTopic(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > TOPIC_MAX) {
    throw badField('topic', `topic must be at most ${TOPIC_MAX} characters`);
  }
  return value.trim();
}

export function checkVisibility(value: unknown): RoomVisibility {
  if (value !== 'public' && value !== 'private') {
    throw badField('visibility', 'visibility must be public or private');
  }
  return value;
}
