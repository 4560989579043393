import type { ProfilePatch } from './profiles.js';
import type { AppId, User } from './types.js';

/** The valid claims as a patch, and the names of the claims that were not valid (ignored). */
export interface ClaimedProfile {
  patch: ProfilePatch;
  rejected: string[];
}

/** How a connection proves who it is. Gateways map their own auth payloads onto one of these. */
export type Credentials =
  | { kind: 'token'; token: string }
  | { kind: 'jwt'; jwt: string }
  | { kind: 'password'; username: string; password: string }
  /** `verification`: the token of the app's verification service, when it asks new guests for one. */
  | { kind: 'guest'; nickname: string; verification?: string }
  /** sha256 hex of an access token (the moneypot dialect logs in this way). */
  | { kind: 'token_hash'; hash: string }
  /** A bot's API key (core/bots.ts): it signs in bots only. */
  | { kind: 'api_key'; apiKey: string };

export interface Principal {
  appId: AppId;
  user: User;
  /** When the credentials stop being valid (ms since epoch); null for never. */
  expiresAt: number | null;
  via: Credentials['kind'];
  /** A token the client can reconnect with: set for guests, whose nickname alone does not prove who they are. */
  resumeToken?: string;
  /** A reader without an account (openReader): reads public rooms, is never present, cannot write. */
  anonymous?: boolean;
  /** The profile the credentials claim (a site JWT's `name` and `picture`), stored by the engine at sign-in. */
  claimedProfile?: ClaimedProfile;
  /** The id of the access token signed in with (via `token` or `token_hash`): revoking it ends the session. */
  tokenId?: string;
}

export interface IssuedToken {
  token: string;
  /** The token's id: names it for listing and revoking, proves nothing (the token is stored only as a hash). */
  tokenId: string;
  expiresAt: number | null;
  user: User;
}
