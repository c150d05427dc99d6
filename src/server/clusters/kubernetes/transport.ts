import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  ApiException,
  type HttpLibrary,
  type RequestContext,
  ResponseContext,
  wrapHttpLibrary,
} from "@kubernetes/client-node";

/**
 * The HTTP transport under every API call of the kubernetes driver.
 *
 * The client's own transport (node-fetch, without a timeout or a signal)
 * waits forever on an API server that accepts the connection and never
 * answers, e.g. behind a black-holing firewall. This one gives every request
 * a deadline and honours an AbortSignal, and otherwise does what the client's
 * does: it uses the agent the kubeconfig authentication prepared (CA, client
 * certificate, TLS server name) and the headers it set (bearer token).
 *
 * Two guards against a hostile or broken server: every connection goes to
 * the address `pin` vetted (the host name still serves SNI, certificate
 * checks and the Host header, so DNS rebinding cannot move it), and an
 * answer larger than `maxResponseBytes` is cut off instead of buffered.
 */

/** Largest answer read into memory: lists are paged well below it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`the answer exceeded ${maxBytes} bytes`);
  }
}

export class RequestTimeoutError extends Error {
  override readonly name = "RequestTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: no answer within ${timeoutMs} ms`);
  }
}

export interface TransportOptions {
  /** Deadline for one request, from sending it to the last byte of the answer. */
  timeoutMs: number;
  /** Cancels every request of this transport. */
  signal?: AbortSignal;
  /** The vetted address to connect to for a host name (network-policy.ts); the system resolver without it. */
  pin?: (hostname: string) => Promise<{ address: string; family: 4 | 6 }>;
  maxResponseBytes?: number;
}

/** A resolver that answers with the pinned address only, in both shapes `net.connect` asks for. */
function pinnedLookup(pinned: { address: string; family: 4 | 6 }): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

function headersOf(incoming: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function send(request: RequestContext, options: TransportOptions): Promise<ResponseContext> {
  const hostname = new URL(request.getUrl()).hostname.replace(/^\[|\]$/g, "");
  const pinned = options.pin ? await options.pin(hostname) : undefined;
  return sendTo(request, options, pinned && pinnedLookup(pinned));
}

function sendTo(
  request: RequestContext,
  options: TransportOptions,
  lookup: LookupFunction | undefined,
): Promise<ResponseContext> {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    const url = new URL(request.getUrl());
    const method = request.getHttpMethod().toString();
    const body = request.getBody();
    if (body !== undefined && typeof body !== "string" && !Buffer.isBuffer(body)) {
      // The driver only sends JSON; form and multipart bodies are for APIs it does not call.
      reject(new TypeError(`${method} ${url.pathname}: unsupported request body type`));
      return;
    }
    const client = url.protocol === "https:" ? https : http;
    const outgoing = client.request(url, {
      method,
      headers: request.getHeaders(),
      agent: request.getAgent(),
      signal: options.signal,
      ...(lookup && { lookup }),
    });
    const timer = setTimeout(
      () => outgoing.destroy(new RequestTimeoutError(options.timeoutMs, method, url.pathname)),
      options.timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    outgoing.on("error", fail);
    outgoing.on("response", (incoming) => {
      const chunks: Buffer[] = [];
      let received = 0;
      // Rejected first, so the socket errors the destroy causes cannot stand in for the reason.
      const tooLarge = () => {
        fail(new ResponseTooLargeError(maxBytes));
        outgoing.destroy();
      };
      const declared = Number(incoming.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        tooLarge();
        return;
      }
      incoming.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) tooLarge();
        else chunks.push(chunk);
      });
      incoming.on("error", fail);
      incoming.on("end", () => {
        clearTimeout(timer);
        const buffer = Buffer.concat(chunks);
        resolve(
          new ResponseContext(incoming.statusCode ?? 0, headersOf(incoming.headers), {
            text: () => Promise.resolve(buffer.toString("utf8")),
            binary: () => Promise.resolve(buffer),
          }),
        );
      });
    });
    outgoing.end(body);
  });
}

export function createTransport(options: TransportOptions): HttpLibrary {
  return wrapHttpLibrary({ send: (request) => send(request, options) });
}

/** Bytes of an error answer read from a stream request (a `Status` is far smaller). */
const MAX_STREAM_ERROR_BYTES = 64 * 1024;

export interface StreamOptions {
  /** Deadline until the answer's headers arrive; the body then flows for as long as the caller reads. */
  timeoutMs: number;
  /** Aborting closes the connection, whenever it happens. */
  signal: AbortSignal;
  pin?: TransportOptions["pin"];
}

/**
 * Sends a request whose answer is read as it comes (a followed pod log),
 * through the same guards as `send`: the pinned address, the agent and
 * headers the kubeconfig's authentication set. A 2xx answer is returned
 * unread; any other is read (at most 64 KiB) and thrown as the client's
 * `ApiException`, so the driver maps it as it maps every other call.
 */
export async function openStream(
  request: RequestContext,
  options: StreamOptions,
): Promise<http.IncomingMessage> {
  const url = new URL(request.getUrl());
  const pinned = options.pin ? await options.pin(url.hostname.replace(/^\[|\]$/g, "")) : undefined;
  return new Promise((resolve, reject) => {
    const method = request.getHttpMethod().toString();
    const client = url.protocol === "https:" ? https : http;
    const outgoing = client.request(url, {
      method,
      headers: request.getHeaders(),
      agent: request.getAgent(),
      signal: options.signal,
      ...(pinned && { lookup: pinnedLookup(pinned) }),
    });
    const timer = setTimeout(
      () => outgoing.destroy(new RequestTimeoutError(options.timeoutMs, method, url.pathname)),
      options.timeoutMs,
    );
    outgoing.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.on("response", (incoming) => {
      clearTimeout(timer);
      const status = incoming.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        resolve(incoming);
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      incoming.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received <= MAX_STREAM_ERROR_BYTES) chunks.push(chunk);
        else incoming.destroy();
      });
      const fail = () =>
        reject(
          new ApiException(
            status,
            `HTTP ${status}`,
            Buffer.concat(chunks).toString("utf8"),
            headersOf(incoming.headers),
          ),
        );
      incoming.on("end", fail);
      incoming.on("close", fail);
    });
    outgoing.end();
  });
}
