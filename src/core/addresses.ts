/** Client addresses as the limits see them (per-address limits: sign-in, guests, connections). */

/**
 * Whether an address is the server's own machine. Such a peer is not limited per address: it is a local tool, or
 * a reverse proxy on the same machine that was not declared trusted, behind which every visitor would share one
 * address (and one guesser would lock everyone out). Per-account and per-user limits still apply to it.
 */
export function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}
