import { describe, expect, it } from "vitest";
import { BodyTooLarge, describeBytes, readCappedBody, withCappedBody } from "./body-limit";

/** A chunked body (no Content-Length), counting how many chunks were pulled from it. */
function chunkedRequest(chunks: number, chunkBytes: number, headers: Record<string, string> = {}) {
  const pulled = { count: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled.count === chunks) {
          controller.close();
          return;
        }
        pulled.count += 1;
        controller.enqueue(new Uint8Array(chunkBytes).fill(120));
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when read, so the count is what the reader asked for
  const request = new Request("http://localhost/api/v1/workload/", {
    method: "POST",
    headers,
    body: stream,
    duplex: "half",
  } as RequestInit);
  return { request, pulled };
}

describe("readCappedBody", () => {
  it("stops reading a chunked body as soon as it passes the cap", async () => {
    const { request, pulled } = chunkedRequest(1000, 1024);
    await expect(readCappedBody(request, 10 * 1024)).rejects.toBeInstanceOf(BodyTooLarge);
    // 11 chunks to pass 10 KiB, not the 1000 on offer.
    expect(pulled.count).toBe(11);
  });

  it("is not fooled by a Content-Length smaller than the body", async () => {
    const { request } = chunkedRequest(20, 1024, { "content-length": "10" });
    await expect(readCappedBody(request, 4096)).rejects.toThrow(
      "larger than the limit of 4 KiB (4096 bytes)",
    );
  });

  it("refuses a declared length over the cap before reading", async () => {
    const { request, pulled } = chunkedRequest(1, 10, { "content-length": String(2 * 1024 * 1024) });
    await expect(readCappedBody(request, 1024 * 1024)).rejects.toThrow("1 MiB");
    expect(pulled.count).toBe(0);
  });

  it("reads a body within the cap whole", async () => {
    const { request } = chunkedRequest(4, 100);
    expect((await readCappedBody(request, 400)).byteLength).toBe(400);
  });
});

describe("withCappedBody", () => {
  it("hands on the same body, now with its real length", async () => {
    const original = new Request("http://localhost/x", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "a=b" },
      body: JSON.stringify({ name: "n" }),
    });
    const capped = await withCappedBody(original, 1024);
    expect(await capped.json()).toEqual({ name: "n" });
    expect(capped.headers.get("cookie")).toBe("a=b");
    expect(capped.headers.get("content-length")).toBe("12");
  });

  it("leaves a GET alone", async () => {
    const get = new Request("http://localhost/x");
    expect(await withCappedBody(get, 1)).toBe(get);
  });
});

describe("describeBytes", () => {
  it("names limits as people read them", () => {
    expect(describeBytes(1024 * 1024)).toBe("1 MiB");
    expect(describeBytes(64 * 1024)).toBe("64 KiB");
    expect(describeBytes(1000)).toBe("1000 bytes");
  });
});
