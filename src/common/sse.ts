/**
 * Reads a `text/event-stream` body as it arrives (the pod log follow): text
 * in, complete events out. The browser reads the stream with `fetch` rather
 * than `EventSource`, which would reconnect on its own after every end and
 * cannot be told to stop cleanly; the wire format is the standard one, so
 * curl and any SSE client read it too.
 */

export interface SseMessage {
  /** The `event:` field; "message" when the block named none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
}

export class SseParser {
  private buffer = "";

  /** The events completed by `text` (a block ends at a blank line); comments (`:`) are skipped. */
  push(text: string): SseMessage[] {
    this.buffer += text.replace(/\r\n?/g, "\n");
    const messages: SseMessage[] = [];
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) messages.push({ event, data: data.join("\n") });
    }
    return messages;
  }
}
