import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { IntentStateChip, showsFulfilment, type IntentDisplayFields } from "./IntentStateChip";

// The text a reader sees (server render: dates in UTC, as before hydration; emotion's <style> left out).
const textOf = (intent: IntentDisplayFields) =>
  renderToStaticMarkup(createElement(IntentStateChip, { intent }))
    .replace(/<style[^>]*>[^<]*<\/style>/g, "")
    .replace(/<[^>]+>/g, "")
    .replaceAll("&nbsp;", " ");

describe("IntentStateChip", () => {
  it("says when a scheduled intent starts, instead of its fulfilment", () => {
    const intent = { reevaluating: false, scheduledFrom: "2030-03-04T05:06:07.000Z" };
    expect(textOf(intent)).toBe("Scheduled, from 4 Mar 2030, 05:06:07");
    expect(showsFulfilment(intent)).toBe(false);
  });

  it("says re-evaluating after a target change, instead of the old verdict", () => {
    const intent = { reevaluating: true, scheduledFrom: null };
    expect(textOf(intent)).toBe("Re-evaluating…");
    expect(showsFulfilment(intent)).toBe(false);
  });

  it("shows nothing of its own when the latest report is the state", () => {
    const intent = { reevaluating: false, scheduledFrom: null };
    expect(textOf(intent)).toBe("");
    expect(showsFulfilment(intent)).toBe(true);
  });
});
