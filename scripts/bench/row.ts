/**
 * One benchmark row as `npm run bench` prints it: a measured value, the baseline measured in the
 * same run, their ratio, the PERF.md target and whether it was met. Targets are goals: a missed
 * one is reported, never an error.
 */
export interface Row {
  id: string;
  metric: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean;
}

/** A row whose target is "ratio at least `min`" (throughput-like: higher is better). */
export function atLeast(
  id: string,
  metric: string,
  value: number,
  baseline: number,
  min: number,
  target: string,
): Row {
  const ratio = value / baseline;
  return { id, metric, value, baseline, ratio, target, pass: ratio >= min };
}

/** A row whose target is "ratio at most `max`" (time-like: lower is better). */
export function atMost(
  id: string,
  metric: string,
  value: number,
  baseline: number,
  max: number,
  target: string,
): Row {
  const ratio = value / baseline;
  return { id, metric, value, baseline, ratio, target, pass: ratio <= max };
}

/** A ratio that is only reported (no target of its own). */
export function reported(id: string, metric: string, value: number, baseline: number): Row {
  return { id, metric, value, baseline, ratio: value / baseline, target: '(reported)', pass: true };
}

/** A row without a baseline: an absolute bound (memory) or a value that is only reported. */
export function plain(
  id: string,
  metric: string,
  value: number,
  target: string,
  pass: boolean,
): Row {
  return { id, metric, value, baseline: null, ratio: null, target, pass };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The readable table; `previous` adds the ratio (or value) of the same row in the last run. */
export function formatTable(rows: readonly Row[], previous?: ReadonlyMap<string, Row>): string {
  const n = (v: number | null | undefined) =>
    v === null || v === undefined ? '-' : v.toFixed(Math.abs(v) >= 100 ? 0 : 2);
  const header =
    'row  metric                                          value   baseline   ratio    prev  target                             pass';
  const lines = [header];
  for (const r of rows) {
    const before = previous?.get(rowKey(r));
    const prev = before === undefined ? null : (before.ratio ?? before.value);
    lines.push(
      [
        r.id.padEnd(4),
        r.metric.padEnd(46),
        n(r.value).padStart(8),
        n(r.baseline).padStart(10),
        n(r.ratio).padStart(7),
        n(prev).padStart(7),
        ' ' + r.target.padEnd(34),
        r.pass ? 'yes' : 'NO',
      ].join(' '),
    );
  }
  return lines.join('\n');
}

/** Rows are matched across runs by id and metric (a metric can name a size, e.g. "1024 MiB"). */
export function rowKey(row: Pick<Row, 'id' | 'metric'>): string {
  return `${row.id} ${row.metric}`;
}
