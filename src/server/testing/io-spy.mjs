/**
 * A preload for real worker processes (`NODE_OPTIONS=--import <this file>`)
 * that records every process start and every file read the process makes,
 * one JSON line each, to the file named by `NEMO_IO_SPY_LOG`. Tests read it
 * to prove that hostile input (a kubeconfig naming commands and files) made
 * the worker run or read nothing.
 *
 * It wraps the `node:child_process` and `node:fs` functions and re-syncs the
 * ES-module named exports, so `import { spawn } from "node:child_process"`
 * is covered as well as `require`. Its first line says whether that worked.
 */
import * as childProcess from "node:child_process";
import fs from "node:fs";
import * as fsNamed from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { fileURLToPath } from "node:url";

const LOG = process.env.NEMO_IO_SPY_LOG;
// Writes below go through the unwrapped function, so the spy never records itself.
const append = fs.appendFileSync;
let recording = false;

function record(kind, fn, target) {
  if (!LOG || recording) return;
  recording = true;
  try {
    append(LOG, `${JSON.stringify({ kind, fn, target: String(target), pid: process.pid })}\n`);
  } finally {
    recording = false;
  }
}

function describeTarget(target) {
  if (target instanceof URL) return target.href;
  if (Buffer.isBuffer(target)) return target.toString();
  return String(target);
}

function wrap(owner, name, kind) {
  const original = owner[name];
  if (typeof original !== "function") return;
  owner[name] = function spied(target, ...rest) {
    record(kind, name, describeTarget(target));
    return original.call(this, target, ...rest);
  };
}

if (LOG) {
  for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"])
    wrap(childProcess.default ?? childProcess, name, "process");
  for (const name of [
    "readFile",
    "readFileSync",
    "open",
    "openSync",
    "createReadStream",
    "existsSync",
    "statSync",
    "accessSync",
  ])
    wrap(fs, name, "read");
  for (const name of ["readFile", "open", "stat", "access"]) wrap(fs.promises, name, "read");
  syncBuiltinESMExports();

  // The positive control: a named-import call is seen after the re-sync.
  const self = fileURLToPath(import.meta.url);
  fsNamed.existsSync(self);
  record("spy", "loaded", self);
}
