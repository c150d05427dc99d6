import { describe, expect, it } from "vitest";
import { isSemVer } from "./semver";

describe("isSemVer", () => {
  it.each([
    "0.0.0",
    "1.0.0",
    "10.20.30",
    "1.0.0-alpha",
    "1.0.0-rc.1",
    "1.0.0-0.3.7",
    "1.0.0+20130313144700",
    "1.0.0-beta+exp.sha.5114f85",
  ])("accepts %s", (v) => expect(isSemVer(v)).toBe(true));
  it.each([
    "",
    "1",
    "1.0",
    "v1.0.0",
    "01.0.0",
    "1.02.0",
    "1.0.0-",
    "1.0.0-01",
    "1.0.0+",
    "1.0.0 ",
    "1.0.0.0",
    "latest",
  ])("refuses %j", (v) => expect(isSemVer(v)).toBe(false));
});
