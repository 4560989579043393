/** The native `search` operation's request and result (docs/protocol.md [proto.search]). */
import type { MessageView } from './views.js';

export interface SearchRequest {
  /** 1-200 characters. Every word (run of letters and digits) must match, the last also as a prefix. */
  q: string;
  /** Only this room (by name). */
  room?: string;
  /** The `nextCursor` of the page before (a message id): only older messages. */
  before?: number;
  /** 1-50, default 20. */
  limit?: number;
}

export interface SearchHit {
  message: MessageView;
  /** The message's text, HTML-escaped, with each matched word wrapped in `<mark>…</mark>`. */
  highlight: string;
}

export interface SearchPage {
  /** Newest first. */
  hits: SearchHit[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextCursor: number | null;
}
