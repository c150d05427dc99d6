import { describe, expect, it } from "vitest";
import {
  isSecretName,
  REDACTED,
  redactSecretManifest,
  redactSecretValues,
  redactYamlSecrets,
} from "./redaction";

describe("isSecretName", () => {
  it.each([
    "secret",
    "client_secret",
    "clientSecret",
    "CLIENT-SECRET",
    "token",
    "bearer_token",
    "bearerToken",
    "X-Auth-Token",
    "access.token",
    "password",
    "PASSWORD",
    "db_Password",
    "passwd",
    "key",
    "api_key",
    "apiKey",
    "API-KEY",
    "api key",
    "privateKey",
    "credential",
    "Credentials",
    "aws.credentials",
    "authorization",
    "Authorization",
    "proxy_authorization",
  ])("%s is secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(["name", "replicaCount", "image", "domain", "pod_cidr", "NEMO_WORKLOAD", "author", "pass", "tok"])(
    "%s is not secret",
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it("separators count for nothing, so a key split by one still matches", () => {
    expect(isSecretName("pass-word")).toBe(true);
    expect(isSecretName("s.e.c.r.e.t")).toBe(true);
  });

  it("matches `key` anywhere (documented false positive)", () => {
    expect(isSecretName("keyboard")).toBe(true);
  });
});

describe("redactSecretValues", () => {
  it("hides values under secret names at any depth, whole subtrees included", () => {
    expect(
      redactSecretValues({
        replicaCount: 2,
        auth: { username: "u", password: "p" },
        credentials: { user: "u", pass: "p" },
        list: [{ apiKey: "k" }],
        token: null,
      }),
    ).toEqual({
      replicaCount: 2,
      auth: { username: "u", password: REDACTED },
      credentials: REDACTED,
      list: [{ apiKey: REDACTED }],
      token: null,
    });
  });
});

describe("redactYamlSecrets", () => {
  it("replaces secret values and keeps the rest, comments included", () => {
    const text = "# tuned\nreplicaCount: 2\ndb:\n  host: pg\n  Password: hunter2\nclient_secret: abc\n";
    const out = redactYamlSecrets(text);
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("abc");
    expect(out).toContain("# tuned");
    expect(out).toContain("host: pg");
    expect(out).toContain(`Password: ${REDACTED}`);
  });

  it("leaves text without secrets untouched", () => {
    const text = "replicaCount: 2   # two\n";
    expect(redactYamlSecrets(text)).toBe(text);
  });

  it("redacts the whole text when an alias would carry a secret elsewhere", () => {
    const text = "password: &p hunter2\ncopy: *p\n";
    expect(redactYamlSecrets(text)).toBe(REDACTED);
  });

  it("redacts the whole text when it does not parse", () => {
    expect(redactYamlSecrets("password: [hunter2")).toBe(REDACTED);
  });
});

describe("redactSecretManifest", () => {
  it("hides data and stringData of a Secret", () => {
    const secret =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg==\nstringData:\n  user: admin\n";
    const out = redactSecretManifest(secret);
    expect(out).not.toContain("aHVudGVyMg==");
    expect(out).not.toContain("admin");
    expect(out).toContain("name: db");
    expect(out).toContain(`password: ${REDACTED}`);
  });

  it("leaves other kinds alone, even with secret-looking keys", () => {
    const config = "apiVersion: v1\nkind: ConfigMap\ndata:\n  password: x\n";
    expect(redactSecretManifest(config)).toBe(config);
  });
});
