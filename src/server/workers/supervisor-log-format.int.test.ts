import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

/** Runs the supervisor with nothing to supervise: it prints its start line and exits. */
function supervisorOutput(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const { LOG_FORMAT: _drop, ...inherited } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "workers/supervisor.ts"], {
      cwd: root,
      env: { ...inherited, NEMO_SUPERVISE: "nothing-by-this-name", PORT: "3999", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("exit", () => resolve(out));
  });
}

describe("the supervisor's log format (quick start's terminal vs a log file)", () => {
  it("prints readable lines with LOG_FORMAT=pretty", async () => {
    const out = await supervisorOutput({ LOG_FORMAT: "pretty", NO_COLOR: "1" });
    expect(out.trim()).toMatch(
      /^\d{2}:\d{2}:\d{2} INFO {2}supervisor NEMO Console is starting on http:\/\/localhost:3999$/,
    );
  });

  it("prints pino JSON otherwise, as tests and log collectors read it", async () => {
    const out = await supervisorOutput({});
    expect(JSON.parse(out.trim())).toMatchObject({
      level: 30,
      service: "supervisor",
      msg: "NEMO Console is starting on http://localhost:3999",
    });
  });
});
