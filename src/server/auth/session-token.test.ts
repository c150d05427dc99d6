import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { createSessionTokenDecoder, deriveSessionKey } from "./session-token";

const secret = randomBytes(32).toString("hex");
const claims = { sub: "subject-1", user: { id: "u1", roles: ["SERVICE_PROVIDER"] }, signedInAt: 1 };

function countingDecoder() {
  const calls = { derive: 0 };
  const decode = createSessionTokenDecoder((s, salt) => {
    calls.derive += 1;
    return deriveSessionKey(s, salt);
  });
  return { decode, calls };
}

describe("session cookie decoding", () => {
  it("opens the cookies next-auth writes, deriving the key once per secret", async () => {
    const { decode, calls } = countingDecoder();
    for (let i = 0; i < 5; i++) {
      const token = await encode({ token: { ...claims, n: i }, secret });
      await expect(decode({ token, secret })).resolves.toMatchObject({ ...claims, n: i });
    }
    expect(calls.derive).toBe(1);
    const other = randomBytes(32).toString("hex");
    await decode({ token: await encode({ token: claims, secret: other }), secret: other });
    expect(calls.derive).toBe(2);
  });

  it("refuses a cookie under another secret, a tampered one and an expired one", async () => {
    const { decode } = countingDecoder();
    const token = await encode({ token: claims, secret });
    const foreign = await encode({ token: claims, secret: randomBytes(32).toString("hex") });
    await expect(decode({ token: foreign, secret })).rejects.toThrow();
    const [header, key, iv, body, tag] = token.split(".");
    const flipped = `${body?.[0] === "A" ? "B" : "A"}${body?.slice(1) ?? ""}`;
    await expect(decode({ token: [header, key, iv, flipped, tag].join("."), secret })).rejects.toThrow();
    // Past the 15 s tolerance next-auth allows.
    const expired = await encode({ token: claims, secret, maxAge: -60 });
    await expect(decode({ token: expired, secret })).rejects.toThrow(/exp/);
    await expect(decode({ token: undefined, secret })).resolves.toBeNull();
  });
});
