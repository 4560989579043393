import { badField } from './failures.js';

export const ROLES = ['guest', 'member', 'mod', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { guest: 0, member: 1, mod: 2, admin: 3, owner: 4 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function checkRole(value: unknown): Role {
  if (!isRole(value)) throw badField('role', 'unknown role');
  return value;
}

export function rank(role: Role): number {
  return RANK[role];
}

export function isStaff(role: Role): boolean {
  return RANK[role] >= RANK.mod;
}

/** Admins and owners see every room, private ones included, without being members. */
export function seesEveryRoom(role: Role): boolean {
  return RANK[role] >= RANK.admin;
}

/** Moderation follows the role order: staff act only on someone strictly below them. */
export function canModerate(actor: Role, target: Role): boolean {
  return isStaff(actor) && RANK[actor] > RANK[target];
}

/** Who may grant a role: only someone above it (an owner may make admins, an admin mods). */
export function canGrant(actor: Role, role: Role): boolean {
  return RANK[actor] >= RANK.admin && RANK[actor] > RANK[role];
}
