import { describe, expect, it } from 'vitest';
import {
  VersionParseError,
  gateVersion,
  natsServerFeatures,
  parseNatsServerVersion,
  type GateMode,
} from '../version.js';

describe('parseNatsServerVersion', () => {
  it.each([
    ['nats-server: v2.14.9\n', '2.14.9', ''],
    ['nats-server: v2.9.10', '2.9.10', ''],
    ['v2.15.0-dev', '2.15.0-dev', 'dev'],
    ['2.10.22-RC.3', '2.10.22-RC.3', 'RC.3'],
  ])('%s → %s', (out, text, pre) => {
    const v = parseNatsServerVersion(out);
    expect(v.text).toBe(text);
    expect(v.prerelease).toBe(pre);
  });

  it.each(['', 'nats-server: unknown', 'command not found'])('rejects %j', (out) => {
    expect(() => parseNatsServerVersion(out)).toThrow(VersionParseError);
  });
});

type Row = [version: string, production: 'ok' | 'warn' | 'refuse', problemMatch: RegExp | null];

// production verdict; dev mode must never refuse (checked for every row below).
const TABLE: Row[] = [
  ['2.9.10', 'refuse', /CVE-2023-47090/],
  ['2.9.22', 'refuse', /CVE-2023-47090/],
  ['2.9.23', 'refuse', /out of support/],
  ['2.10.1', 'refuse', /CVE-2023-47090/],
  ['2.10.2', 'refuse', /GHSA-fhg8/],
  ['2.10.20', 'refuse', /#6888/],
  ['2.10.22', 'refuse', /#6888/],
  ['2.10.23', 'refuse', /GHSA-fhg8/],
  ['2.10.29', 'refuse', /out of support/],
  ['2.11.0', 'refuse', /2\.11 line is out of support/],
  ['2.11.15', 'refuse', /2\.11 line is out of support/],
  ['2.11.17', 'refuse', /2\.11 line is out of support/],
  ['2.12.1', 'refuse', /need ≥ 2\.12\.12/],
  ['2.12.11', 'refuse', /need ≥ 2\.12\.12/],
  ['2.12.12', 'warn', null],
  ['2.12.15', 'ok', null],
  ['2.13.0', 'refuse', /not a release line/],
  ['2.14.0', 'refuse', /need ≥ 2\.14\.3/],
  ['2.14.2', 'refuse', /need ≥ 2\.14\.3/],
  ['2.14.3', 'warn', null],
  ['2.14.5', 'ok', null],
  ['2.14.9', 'ok', null],
  ['2.14.10-RC.1', 'refuse', /pre-release/],
  ['2.15.0-dev', 'refuse', /pre-release/],
  ['2.16.1', 'warn', null],
  ['3.0.0', 'refuse', /major version/],
];

describe('gateVersion', () => {
  it('has at least 15 rows', () => expect(TABLE.length).toBeGreaterThanOrEqual(15));

  it.each(TABLE)('%s → %s in production', (text, verdict, problem) => {
    const v = parseNatsServerVersion(text);
    const prod = gateVersion(v, 'production');
    expect(prod.verdict).toBe(verdict);
    if (problem) expect(prod.problems.join('\n')).toMatch(problem);
    else expect(prod.problems).toEqual([]);

    const dev = gateVersion(v, 'dev' satisfies GateMode);
    expect(dev.verdict).not.toBe('refuse');
    expect(dev.problems).toEqual(prod.problems);
    if (verdict === 'refuse') expect(dev.verdict).toBe('warn');
    else expect(dev.verdict).toBe(verdict);
  });
});

describe('natsServerFeatures', () => {
  it.each([
    ['2.9.10', false, false, true],
    ['2.9.23', false, false, true],
    ['2.10.0', true, true, true],
    ['2.14.9', true, true, true],
  ])('%s syncAlways=%s reloadOverNats=%s', (text, sync, reload, create) => {
    const f = natsServerFeatures(parseNatsServerVersion(text));
    expect(f.syncAlways).toBe(sync);
    expect(f.reloadOverNats).toBe(reload);
    expect(f.authCallout).toBe(sync);
    expect(f.consumerCreateWithName).toBe(create);
  });
});
