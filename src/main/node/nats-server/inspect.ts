/**
 * Start-time inspection of the nats-server binary: which version runs, may it run, and which
 * config features it supports. The node logs `version.text` and shows it in /healthz.
 */
import { readNatsServerVersion } from './binary.js';
import {
  gateVersion,
  natsServerFeatures,
  type GateMode,
  type NatsServerFeatures,
  type NatsServerVersion,
  type VersionGateResult,
} from './version.js';

export interface NatsServerInspection {
  readonly bin: string;
  readonly version: NatsServerVersion;
  readonly gate: VersionGateResult;
  readonly features: NatsServerFeatures;
}

export class VersionRefusedError extends Error {
  override readonly name = 'VersionRefusedError';
  constructor(readonly inspection: NatsServerInspection) {
    super(
      `nats-server ${inspection.version.text} (${inspection.bin}) refused: ${inspection.gate.problems.join('; ')}`,
    );
  }
}

/** Reads `--version`, applies the gate; throws VersionRefusedError when the gate refuses. */
export async function inspectNatsServer(
  bin: string,
  mode: GateMode,
): Promise<NatsServerInspection> {
  const version = await readNatsServerVersion(bin);
  const inspection = {
    bin,
    version,
    gate: gateVersion(version, mode),
    features: natsServerFeatures(version),
  };
  if (inspection.gate.verdict === 'refuse') throw new VersionRefusedError(inspection);
  return inspection;
}
