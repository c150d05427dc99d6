import http from "node:http";
import https from "node:https";
import {
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
 * certificate, TLS server name, proxy) and the headers it set (bearer token).
 */

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
}

function headersOf(incoming: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function send(request: RequestContext, options: TransportOptions): Promise<ResponseContext> {
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
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
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
