/** Ids as the API and the URLs carry them. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any RFC 4122-shaped id (instances, intents, clusters, migrations), either case. */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
