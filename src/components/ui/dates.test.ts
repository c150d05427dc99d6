import { describe, expect, it } from "vitest";
import { formatDate, timeOf } from "./dates";

// fixed-date: formatting only; nothing here compares with the wall clock.
const AT = new Date("2026-12-07T09:10:06Z");

describe("the console's date formats", () => {
  it("formats each kind in en-GB, here in UTC", () => {
    expect(formatDate(AT, "dateTime", "UTC")).toBe("7 Dec 2026, 09:10:06");
    expect(formatDate(AT, "time", "UTC")).toBe("09:10:06");
    expect(formatDate(AT, "hourMinute", "UTC")).toBe("09:10");
    expect(formatDate(AT, "dayTime", "UTC")).toBe("07 Dec, 09:10:06");
    expect(formatDate(AT, "timestamp", "UTC")).toBe("07 Dec 2026, 09:10:06");
  });

  it("takes what the API sends: a Date, an ISO string or epoch milliseconds", () => {
    expect(formatDate(AT.toISOString(), "time", "UTC")).toBe("09:10:06");
    expect(formatDate(AT.getTime(), "time", "UTC")).toBe("09:10:06");
    expect(timeOf(AT.toISOString())).toBe(AT.getTime());
    expect(formatDate("not a date")).toBe("not a date");
  });
});
