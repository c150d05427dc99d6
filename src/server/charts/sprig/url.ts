/** Sprig urlParse/urlJoin with Go net/url semantics for the common cases. */
import { GoError, goFunc, utf8Bytes, type GoFunc, type GoMap, type Value } from "../template/values";

interface GoURL {
  scheme: string;
  opaque: string;
  user: string | null;
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
}

function unescape(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new GoError(`invalid URL escape in ${JSON.stringify(s)}`);
  }
}

export function parseURL(raw: string): GoURL {
  const u: GoURL = { scheme: "", opaque: "", user: null, host: "", path: "", rawQuery: "", fragment: "" };
  let rest = raw;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    u.fragment = unescape(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm) {
    u.scheme = (sm[1] ?? "").toLowerCase();
    rest = rest.slice(sm[0].length);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    u.rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith("/") && u.scheme !== "") {
    u.opaque = rest;
    return u;
  }
  if (rest.startsWith("//")) {
    const auth = rest.slice(2);
    const slash = auth.indexOf("/");
    const authority = slash >= 0 ? auth.slice(0, slash) : auth;
    rest = slash >= 0 ? auth.slice(slash) : "";
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      u.user = authority.slice(0, at);
      u.host = authority.slice(at + 1);
    } else u.host = authority;
  }
  u.path = unescape(rest);
  return u;
}

function escapePath(p: string): string {
  let out = "";
  for (const b of utf8Bytes(p)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function escapeFragment(p: string): string {
  let out = "";
  for (const b of utf8Bytes(p)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@!()*?]/.test(c)) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export function urlString(u: GoURL): string {
  let buf = "";
  if (u.scheme) buf += u.scheme + ":";
  if (u.opaque) buf += u.opaque;
  else {
    if (u.scheme || u.host || u.user !== null) {
      if (u.host || u.path || u.user !== null) buf += "//";
      if (u.user !== null) buf += u.user + "@";
      if (u.host) buf += u.host;
    }
    const path = escapePath(u.path);
    if (path && !path.startsWith("/") && u.host) buf += "/";
    buf += path;
  }
  if (u.rawQuery) buf += "?" + u.rawQuery;
  if (u.fragment) buf += "#" + escapeFragment(u.fragment);
  return buf;
}

function meta(d: GoMap, k: string): string {
  const v = d.get(k);
  return typeof v === "string" ? v : "";
}

export function urlFuncs(): [string, GoFunc][] {
  return [
    [
      "urlParse",
      goFunc(["string"], (s) => {
        const u = parseURL(s as string);
        const hostname = u.host.startsWith("[")
          ? u.host.slice(1, u.host.indexOf("]"))
          : u.host.replace(/:\d*$/, "");
        return new Map<string, Value>([
          ["scheme", u.scheme],
          ["host", u.host],
          ["hostname", hostname],
          ["path", u.path],
          ["query", u.rawQuery],
          ["opaque", u.opaque],
          ["fragment", u.fragment],
          ["userinfo", u.user ?? ""],
        ]);
      }),
    ],
    [
      "urlJoin",
      goFunc(["map"], (d) => {
        const m = (d ?? new Map()) as GoMap;
        const ui = meta(m, "userinfo");
        return urlString({
          scheme: meta(m, "scheme"),
          host: meta(m, "host"),
          path: meta(m, "path"),
          rawQuery: meta(m, "query"),
          opaque: meta(m, "opaque"),
          fragment: meta(m, "fragment"),
          user: ui === "" ? null : ui,
        });
      }),
    ],
  ];
}
