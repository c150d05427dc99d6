/**
 * Request bodies read with a byte counter: the read stops as soon as the
 * count passes the cap, whatever Content-Length says (a chunked request has
 * none, and a lying one must not help). A declared length over the cap is
 * refused before reading anything.
 */

export class BodyTooLarge extends Error {
  override readonly name = "BodyTooLarge";
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than the limit of ${describeBytes(limitBytes)} (${limitBytes} bytes).`);
  }
}

/** "1 MiB", "64 KiB", "300 bytes": limits as people read them. */
export function describeBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The whole body, or BodyTooLarge as soon as it passes `limitBytes`. */
export async function readCappedBody(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limitBytes) {
    throw new BodyTooLarge(limitBytes);
  }
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      // Stop the upload here: nothing more is read or buffered.
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLarge(limitBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The same request with its body already read within the cap, so handlers
 * keep using `request.json()` / `formData()` and can never read past it.
 * Requests without a body (GET, HEAD) come back unchanged.
 */
export async function withCappedBody(request: Request, limitBytes: number): Promise<Request> {
  if (request.method === "GET" || request.method === "HEAD" || !request.body) return request;
  const body = await readCappedBody(request, limitBytes);
  const headers = new Headers(request.headers);
  // The buffered body's own length replaces whatever the client declared.
  headers.delete("transfer-encoding");
  headers.set("content-length", String(body.byteLength));
  return new Request(request.url, {
    method: request.method,
    headers,
    body: body.byteLength > 0 ? (body as BodyInit) : null,
    signal: request.signal,
  });
}
