import { describe, expect, it } from "vitest";
import { evaluationView, spread } from "./evaluation-view";

describe("evaluationView", () => {
  it("reads the lab's summary, targets, HPA wins and chosen HPA targets", () => {
    const view = evaluationView({
      summary: [
        {
          trace: "bursty",
          policy: "dqn",
          meanReward: { mean: -5.8412, sd: 0.1234 },
          meanReplicas: { mean: 3.5, sd: 0.25 },
          sloViolationRate: { mean: 0.0123, sd: 0.004 },
          actions: { mean: 41.6, sd: 3.2 },
        },
      ],
      targets: [{ id: "steady-cost", description: "DQN matches HPA on steady", met: false, detail: "+7 %" }],
      hpaWins: ["HPA is cheaper on the steady trace."],
      hpa: [{ trace: "steady", chosenTarget: 0.7, grid: [] }],
      durationMs: 123_456,
    });
    expect(view.readable).toBe(true);
    expect(view.summary).toEqual([
      {
        trace: "bursty",
        policy: "dqn",
        meanReward: "-5.84 ± 0.12",
        meanReplicas: "3.50 ± 0.25",
        sloViolationRate: "1.2 ± 0.4 %",
        actions: "42 ± 3",
      },
    ]);
    expect(view.targets).toEqual([
      { id: "steady-cost", description: "DQN matches HPA on steady", met: false, detail: "+7 %" },
    ]);
    expect(view.hpaWins).toEqual(["HPA is cheaper on the steady trace."]);
    expect(view.hpaTargets).toEqual([{ trace: "steady", target: "0.70" }]);
    expect(view.durationSeconds).toBe(123.5);
  });

  it("says unreadable for results it does not know, and dashes for missing figures", () => {
    expect(evaluationView({ something: "else" }).readable).toBe(false);
    expect(evaluationView(null).summary).toEqual([]);
    expect(spread(undefined)).toBe("—");
    expect(spread({ mean: 2 })).toBe("2.00");
    expect(spread(0.5, 0, true)).toBe("50 %");
  });
});
