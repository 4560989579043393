import type { AppId, RoomId, UserRef } from '../core/types.js';

/** Where a user can be present: a room, or the app as a whole (app-wide online status). */
export interface PresencePlace {
  appId: AppId;
  /** null: the app as a whole. */
  roomId: RoomId | null;
  /** The room's name when the place is a room (so nodes without the room loaded can still name it). */
  roomName: string | null;
}

export interface PresenceEntry extends PresencePlace {
  user: UserRef;
}

/**
 * The nodes that have a user present in one place. Nearly always one (the user's connections are on one
 * node), so one node is kept as its name and only more than one as a set: every idle connection has two of
 * these (its room and its app), and an empty Set alone weighs some 190 bytes.
 */
type Nodes = string | Set<string>;

interface Scope extends PresencePlace {
  users: Map<number, { user: UserRef; nodes: Nodes }>;
}

function hasNode(nodes: Nodes, node: string): boolean {
  return typeof nodes === 'string' ? nodes === node : nodes.has(node);
}

function nodeCount(nodes: Nodes): number {
  return typeof nodes === 'string' ? 1 : nodes.size;
}

function withNode(nodes: Nodes, node: string): Nodes {
  if (typeof nodes !== 'string') return nodes.add(node);
  return nodes === node ? nodes : new Set([nodes, node]);
}

/** The nodes without `node`: null when none is left. */
function withoutNode(nodes: Nodes, node: string): Nodes | null {
  if (typeof nodes === 'string') return null;
  nodes.delete(node);
  if (nodes.size !== 1) return nodes.size === 0 ? null : nodes;
  const [last] = nodes;
  return last ?? null;
}

function keyOf(place: { appId: AppId; roomId: RoomId | null }): string {
  return place.roomId === null ? `app:${place.appId}` : `room:${place.roomId}`;
}

/**
 * Presence across the cluster. Each node says which users it has present where; a user is present in a place
 * while at least one node says so. The methods answer the transitions (present on no node → on one, and
 * back), which are what clients hear as joins and leaves.
 */
export class PresenceDirectory {
  private readonly scopes = new Map<string, Scope>();

  /** True when the user was present on no node before. */
  add(place: PresencePlace, user: UserRef, node: string): boolean {
    const key = keyOf(place);
    let scope = this.scopes.get(key);
    if (!scope) {
      scope = { ...place, users: new Map() };
      this.scopes.set(key, scope);
    }
    if (place.roomName !== null) scope.roomName = place.roomName;
    const entry = scope.users.get(user.id);
    if (entry) {
      entry.nodes = withNode(entry.nodes, node);
      entry.user = user;
      return false;
    }
    scope.users.set(user.id, { user, nodes: node });
    return true;
  }

  /** True when the user is now present on no node. */
  remove(place: { appId: AppId; roomId: RoomId | null }, userId: number, node: string): boolean {
    const key = keyOf(place);
    const scope = this.scopes.get(key);
    const entry = scope?.users.get(userId);
    if (!scope || !entry || !hasNode(entry.nodes, node)) return false;
    const left = withoutNode(entry.nodes, node);
    if (left !== null) {
      entry.nodes = left;
      return false;
    }
    scope.users.delete(userId);
    if (scope.users.size === 0) this.scopes.delete(key);
    return true;
  }

  users(place: { appId: AppId; roomId: RoomId | null }): UserRef[] {
    return [...(this.scopes.get(keyOf(place))?.users.values() ?? [])].map((e) => e.user);
  }

  count(place: { appId: AppId; roomId: RoomId | null }): number {
    return this.scopes.get(keyOf(place))?.users.size ?? 0;
  }

  /** How many nodes have the user present in the place (0 when absent). */
  nodesOf(place: { appId: AppId; roomId: RoomId | null }, userId: number): number {
    const nodes = this.scopes.get(keyOf(place))?.users.get(userId)?.nodes;
    return nodes === undefined ? 0 : nodeCount(nodes);
  }

  /** How many nodes other than `node` have the user present in the place. */
  nodesOtherThan(place: { appId: AppId; roomId: RoomId | null }, userId: number, node: string): number {
    const nodes = this.scopes.get(keyOf(place))?.users.get(userId)?.nodes;
    if (!nodes) return 0;
    return nodeCount(nodes) - (hasNode(nodes, node) ? 1 : 0);
  }

  /** Whether a node other than `node` has the user present in the place. */
  presentElsewhere(place: { appId: AppId; roomId: RoomId | null }, userId: number, node: string): boolean {
    const nodes = this.scopes.get(keyOf(place))?.users.get(userId)?.nodes;
    if (nodes === undefined) return false;
    return typeof nodes === 'string' ? nodes !== node : [...nodes].some((n) => n !== node);
  }

  /** The rooms of an app where the user is present, by name. */
  roomsOf(appId: AppId, userId: number): string[] {
    const names: string[] = [];
    for (const scope of this.scopes.values()) {
      if (scope.appId === appId && scope.roomId !== null && scope.users.has(userId) && scope.roomName) {
        names.push(scope.roomName);
      }
    }
    return names;
  }

  /**
   * The user as now (a profile change) wherever they are present in the app; answers the rooms where they are,
   * by id.
   */
  updateUser(appId: AppId, user: UserRef): RoomId[] {
    const rooms: RoomId[] = [];
    for (const scope of this.scopes.values()) {
      const entry = scope.appId === appId ? scope.users.get(user.id) : undefined;
      if (!entry) continue;
      entry.user = { ...user, role: entry.user.role };
      if (scope.roomId !== null) rooms.push(scope.roomId);
    }
    return rooms;
  }

  /** Everything one node says is present. */
  entriesOf(node: string): PresenceEntry[] {
    const entries: PresenceEntry[] = [];
    for (const scope of this.scopes.values()) {
      for (const { user, nodes } of scope.users.values()) {
        if (hasNode(nodes, node))
          entries.push({ appId: scope.appId, roomId: scope.roomId, roomName: scope.roomName, user });
      }
    }
    return entries;
  }

  /**
   * Makes a node's entries exactly `entries` (a snapshot it sent, or [] when it is gone) and answers the
   * transitions that caused.
   */
  replaceNode(node: string, entries: PresenceEntry[]): { joined: PresenceEntry[]; left: PresenceEntry[] } {
    const wanted = new Set(entries.map((e) => `${keyOf(e)}/${e.user.id}`));
    const left: PresenceEntry[] = [];
    for (const entry of this.entriesOf(node)) {
      if (!wanted.has(`${keyOf(entry)}/${entry.user.id}`) && this.remove(entry, entry.user.id, node)) {
        left.push(entry);
      }
    }
    const joined = entries.filter((entry) => this.add(entry, entry.user, node));
    return { joined, left };
  }
}
