import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Issue 13, bug 12: every page load asked for /favicon.ico and got a 404. */
describe("public/favicon.ico", () => {
  it("is an icon file with 16 and 32 px images that lie inside it", () => {
    const ico = readFileSync(path.resolve("public/favicon.ico"));
    // ICONDIR: reserved 0, type 1 (icon), image count.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const size = ico.readUInt8(entry) || 256;
      const bytes = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset + bytes).toBeLessThanOrEqual(ico.length);
      // Each image is a BITMAPINFOHEADER (40 bytes) of that width, or a PNG.
      const header = ico.readUInt32LE(offset);
      if (header === 40) expect(ico.readInt32LE(offset + 4)).toBe(size);
      else expect(ico.subarray(offset, offset + 4).toString("latin1")).toBe("\x89PNG");
      sizes.push(size);
    }
    expect(sizes.sort((a, b) => a - b)).toEqual([16, 32]);
  });
});
