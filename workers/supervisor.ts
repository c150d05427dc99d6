/**
 * Quick-start supervisor: runs the web console, the local OIDC issuer (when
 * NEMO_LOCAL_ISSUER=1, as the quick start sets) and one process per worker role, restarts a
 * process that dies (with backoff), and stops them all on SIGINT/SIGTERM or
 * when its own parent goes away.
 * Production runs each of these as its own deployment instead (helm/).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { logFormat, prettyLogLine, wantsColour } from "@/server/log-format";
import { WORKER_ROLES } from "@/server/workers";

const root = path.resolve(import.meta.dirname, "..");
const port = process.env.PORT ?? "3000";
// Only when asked (the quick start sets it): a production console signs in through a real Keycloak.
const useLocalIssuer = process.env.NEMO_LOCAL_ISSUER === "1";

interface Service {
  name: string;
  command: string;
  args: string[];
  child?: ChildProcess;
  restarts: number;
}

// tsx as a loader, not its CLI: the CLI forks a second process and signals would reach the wrong one.
const tsx = ["--import", "tsx"];
const services: Service[] = [
  ...(useLocalIssuer
    ? [
        {
          name: "oidc-issuer",
          command: process.execPath,
          args: [...tsx, "workers/oidc-issuer.ts"],
          restarts: 0,
        },
      ]
    : []),
  {
    name: "web",
    command: process.execPath,
    // One PID: npx would leave its child running when the PID is signalled. The built app as
    // `next start` serves it, with the hot REST reads answered first (workers/web.ts).
    args: [...tsx, "workers/web.ts", "-p", port],
    restarts: 0,
  },
  ...WORKER_ROLES.map((role) => ({
    name: role,
    command: process.execPath,
    args: [...tsx, `workers/${role}.ts`],
    restarts: 0,
  })),
];

// NEMO_SUPERVISE=orchestrator,evaluator runs only the named processes (tests, partial setups).
const only = process.env.NEMO_SUPERVISE?.split(",")
  .map((name) => name.trim())
  .filter(Boolean);
const supervised = only?.length ? services.filter((s) => only.includes(s.name)) : services;

let stopping = false;

// The supervisor's own lines follow LOG_FORMAT like every process it starts (which inherit it).
const pretty = logFormat() === "pretty";
const colour = wantsColour(process.stdout);

function log(message: string, extra: Record<string, unknown> = {}): void {
  const line = JSON.stringify({
    level: 30,
    time: new Date().toISOString(),
    service: "supervisor",
    ...extra,
    msg: message,
  });
  process.stdout.write(`${pretty ? prettyLogLine(line, { colour }) : line}\n`);
}

function start(service: Service): void {
  // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then
  // sends each child one SIGTERM (a second signal would make a worker skip its graceful stop).
  const child = spawn(service.command, service.args, {
    cwd: root,
    env: process.env,
    stdio: "inherit",
    detached: true,
  });
  service.child = child;
  log("started", { process: service.name, pid: child.pid });
  child.on("exit", (code, signal) => {
    service.child = undefined;
    if (stopping) return;
    service.restarts += 1;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(service.restarts, 6));
    log("exited; restarting", { process: service.name, code, signal, restartInMs: delay });
    setTimeout(() => !stopping && start(service), delay);
  });
}

async function stopAll(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    for (const s of supervised) s.child?.kill("SIGKILL");
    process.exit(130);
  }
  stopping = true;
  log("stopping all processes", { signal });
  const exits = supervised
    .filter((s) => s.child)
    .map((s) => new Promise<void>((resolve) => s.child!.once("exit", () => resolve())));
  for (const s of supervised) s.child?.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const s of supervised) s.child?.kill("SIGKILL");
  }, 15_000);
  await Promise.all(exits);
  clearTimeout(timer);
  log("all processes stopped");
  process.exit(0);
}

process.on("SIGINT", (s) => void stopAll(s));
process.on("SIGTERM", (s) => void stopAll(s));
process.on("SIGHUP", (s) => void stopAll(s));

// A parent that dies without passing its signal on (a shell killed by a process manager) must not
// leave the console running: once re-parented, stop everything as if signalled.
const parentAtStart = process.ppid;
const parentWatch = setInterval(
  () => {
    if (process.ppid !== parentAtStart) {
      clearInterval(parentWatch);
      log("parent process gone", { parentPid: parentAtStart });
      void stopAll("SIGTERM");
    }
  },
  Number(process.env.NEMO_SUPERVISOR_PARENT_CHECK_MS ?? 1_000),
);
parentWatch.unref();

for (const service of supervised) start(service);
log(`NEMO Console is starting on http://localhost:${port}`);
