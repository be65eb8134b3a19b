/**
 * nats-server version parsing, the version gate and version-dependent features.
 *
 * Pure: no I/O. The supervisor runs `nats-server --version` and feeds the output here.
 * Sources for every rule: docs/reliability-anchors.md §4.4–4.5 (advisories and Jepsen findings).
 */

export interface NatsServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release tag without the dash (`dev`, `RC.1`, `beta`), or '' for a release. */
  readonly prerelease: string;
  /** Normalised text, e.g. `2.14.9` or `2.15.0-dev`. */
  readonly text: string;
}

export class VersionParseError extends Error {
  override readonly name = 'VersionParseError';
}

const VERSION_RE = /\bv?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/;

/**
 * Parse `nats-server --version` output (`nats-server: v2.14.9`) or a bare `2.14.9`.
 * Throws VersionParseError when no version can be found.
 */
export function parseNatsServerVersion(output: string): NatsServerVersion {
  const line = output.trim().split(/\r?\n/)[0] ?? '';
  const m = VERSION_RE.exec(line);
  if (!m) throw new VersionParseError(`cannot find a version in ${JSON.stringify(line)}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3]);
  const prerelease = m[4] ?? '';
  const text = `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`;
  return { major, minor, patch, prerelease, text };
}

type Triple = readonly [number, number, number];

/** Compare release numbers only (a pre-release sorts before its release). */
export function compareVersion(v: NatsServerVersion, t: Triple): number {
  const d = v.major - t[0] || v.minor - t[1] || v.patch - t[2];
  if (d !== 0) return d;
  return v.prerelease ? -1 : 0;
}

const atLeast = (v: NatsServerVersion, t: Triple): boolean => compareVersion(v, t) >= 0;

export type GateMode = 'production' | 'dev';

export interface VersionGateResult {
  /** `ok`: run silently; `warn`: run, log the reasons; `refuse`: do not start. */
  readonly verdict: 'ok' | 'warn' | 'refuse';
  /** Problems that make the version unacceptable in production. */
  readonly problems: readonly string[];
  /** Advice that never blocks (e.g. below the recommended release). */
  readonly advice: readonly string[];
}

/** Supported lines and the first release that carries every advisory fix we know of. */
export const MIN_SUPPORTED: Readonly<Record<string, Triple>> = {
  '2.12': [2, 12, 12], // secnote-2026-26 (GHSA-7qmq-8cc4-hxwg), filestore compact fix
  '2.14': [2, 14, 3], // same advisory on the 2.14 line
};

/** What we ship; anything older on a supported line gets advice, not a refusal. */
export const RECOMMENDED: Readonly<Record<string, Triple>> = {
  '2.12': [2, 12, 15],
  '2.14': [2, 14, 5], // 2.14.4: "Failed recovery with truncated block key file" (encrypted store)
};

/** The newest line we know; later lines are assumed to carry every fix (advice only). */
const NEWEST_KNOWN_LINE: Triple = [2, 14, 0];

/**
 * Known-bad problems of a version, independent of mode. Empty means acceptable.
 */
export function versionProblems(v: NatsServerVersion): string[] {
  const p: string[] = [];
  const line = `${v.major}.${v.minor}`;
  if (v.prerelease) p.push(`pre-release build ${v.text} is not a supported release`);
  if (v.major !== 2) {
    p.push(`major version ${v.major} is not supported (expected 2.x)`);
    return p;
  }
  if (!atLeast(v, [2, 9, 23]) || (v.minor === 10 && !atLeast(v, [2, 10, 2]))) {
    p.push(`${v.text} allows unauthenticated access (CVE-2023-47090; fixed in 2.9.23 / 2.10.2)`);
  }
  if (v.minor === 10 && atLeast(v, [2, 10, 20]) && !atLeast(v, [2, 10, 23])) {
    p.push(`${v.text} can lose a whole stream after kill -9 (nats-server#6888; fixed in 2.10.23)`);
  }
  if (v.minor === 10 && !atLeast(v, [2, 10, 27])) {
    p.push(`${v.text} lets JetStream users purge other accounts (GHSA-fhg8-qxh5-7q3w; 2.10.27)`);
  }
  if (v.minor === 11) {
    p.push(`the 2.11 line is out of support (${v.text})`);
  }
  const min = MIN_SUPPORTED[line];
  if (min) {
    if (!atLeast(v, min)) {
      p.push(`${v.text} is behind the newest advisory fixes for ${line} (need ≥ ${min.join('.')})`);
    }
  } else if (v.minor === 13) {
    p.push('2.13 is not a release line; use 2.14.x or 2.12.x');
  } else if (!atLeast(v, NEWEST_KNOWN_LINE) && v.minor !== 11) {
    p.push(`the ${line} line is out of support; use 2.14.x or 2.12.x`);
  }
  return p;
}

/**
 * The version gate. Production refuses any known-bad version; dev mode only warns.
 */
export function gateVersion(v: NatsServerVersion, mode: GateMode): VersionGateResult {
  const problems = versionProblems(v);
  const advice: string[] = [];
  const line = `${v.major}.${v.minor}`;
  const rec = RECOMMENDED[line];
  if (problems.length === 0 && rec && !atLeast(v, rec)) {
    advice.push(
      `${v.text} works; ${rec.join('.')} or later is recommended (encrypted filestore fixes)`,
    );
  }
  if (problems.length === 0 && v.major === 2 && v.minor > NEWEST_KNOWN_LINE[1]) {
    advice.push(`${v.text} is newer than the newest line this build knows (2.14); not verified`);
  }
  let verdict: VersionGateResult['verdict'];
  if (problems.length > 0) verdict = mode === 'production' ? 'refuse' : 'warn';
  else verdict = advice.length > 0 ? 'warn' : 'ok';
  return { verdict, problems, advice };
}

export interface NatsServerFeatures {
  /** `jetstream { sync_interval: always }` (2.10.0+). */
  readonly syncAlways: boolean;
  /** Reload over NATS via `$SYS.REQ.SERVER.<id>.RELOAD` (2.10.0+; needed on Windows). */
  readonly reloadOverNats: boolean;
  /** Auth callout (2.10.0+): the scale path beyond ~20k users. */
  readonly authCallout: boolean;
  /** `$JS.API.CONSUMER.CREATE.<stream>.<name>[.<filter>]` (2.9.0+). */
  readonly consumerCreateWithName: boolean;
}

export function natsServerFeatures(v: NatsServerVersion): NatsServerFeatures {
  return {
    syncAlways: atLeast(v, [2, 10, 0]),
    reloadOverNats: atLeast(v, [2, 10, 0]),
    authCallout: atLeast(v, [2, 10, 0]),
    consumerCreateWithName: atLeast(v, [2, 9, 0]),
  };
}
