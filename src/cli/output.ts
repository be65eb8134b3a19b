/**
 * CLI output: results on stdout (one JSON object per line with --json), progress and errors on
 * stderr, never a stack trace.
 */
export interface Output {
  readonly json: boolean;
  /** A created or sent object; with --json its primary id is under `id`. */
  result(value: Record<string, unknown>, text: string): void;
  info(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result: (value, text) => {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text}\n`);
    },
    info: (text) => {
      process.stderr.write(`${text}\n`);
    },
  };
}
