/**
 * The client's address for per-IP rate limits. Next.js fills X-Forwarded-For
 * from the socket only when the request carries none, so with no trusted
 * proxy (hops 0) the rightmost entry is the peer's address — unless the
 * client sent the header itself, which it can then choose: per-user budgets
 * still bind. Behind N trusted proxies that each append the address they saw,
 * the client is the entry N places from the right; entries further left are
 * the client's own claims and are ignored.
 */
export function clientIp(headers: Pick<Headers, "get">, trustedProxyHops: number): string {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return headers.get("x-real-ip")?.trim() || "unknown";
  const index = Math.max(0, entries.length - Math.max(1, trustedProxyHops));
  return entries[index] ?? "unknown";
}

/**
 * The same for a plain node:http request (the local issuer): the socket's
 * address, or behind trusted proxies the X-Forwarded-For entry they appended.
 */
export function socketClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxyHops: number,
): string {
  const peer = socketAddress ?? "unknown";
  if (trustedProxyHops === 0) return peer;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  // The socket peer is the nearest proxy: hop 1 is the last X-Forwarded-For entry.
  const entries = [
    ...header
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean),
    peer,
  ];
  return entries[Math.max(0, entries.length - 1 - trustedProxyHops)] ?? peer;
}
