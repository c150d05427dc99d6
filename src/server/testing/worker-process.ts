import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** A real worker process started by a test, with its log lines as they arrive. */
export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** Each stdout line parsed as pino JSON (`{ raw }` when it is not JSON). */
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * Starts `workers/<role>.ts` as the supervisor and Helm do (one node process,
 * tsx as a loader) with the test's environment on top of this process's.
 */
export function spawnWorkerProcess(
  role: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", `workers/${role}.ts`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { name: [role, ...args].join(" "), child, lines, exited };
}
