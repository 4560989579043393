/**
 * What a call to a site's own endpoint came to. `status` is any HTTP answer (2xx is a success to the callers);
 * the failures are named so that a delivery log can say why without the endpoint's own words.
 */
export type SiteCallOutcome =
  | { ok: true; status: number; body: string }
  | { ok: false; failure: 'timeout' | 'unreachable' | 'redirect' | 'too_large'; status?: number };

/** One signed POST of JSON to a site's endpoint (webhooks, the pre-send hook, bot commands). */
export interface SiteCall {
  url: string;
  /** The endpoint's shared secret: the body is signed with it (docs/webhooks.md, "Signatures"). */
  secret: string;
  /** A stable id the receiver deduplicates on (`Parley-Event-Id`). */
  eventId: string;
  /** The JSON body, already serialised: what is signed is exactly what is sent. */
  body: string;
  /** The whole exchange, the answer's body included, is held to this. */
  timeoutMs: number;
  /** The most of the answer read; more is `too_large`. */
  maxResponseBytes: number;
}

/**
 * Calls a site's endpoint over HTTP (outbound/siteCaller.ts). It never throws and never follows a redirect:
 * an endpoint is configured by its owner, and a redirect (perhaps to an address inside the network) is a
 * failure rather than a hop.
 */
export interface SiteCaller {
  post(call: SiteCall, now: number): Promise<SiteCallOutcome>;
}
