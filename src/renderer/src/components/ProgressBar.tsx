import { TID } from '../testids';

/** An accessible progress bar: role="progressbar" with aria-valuenow as a percentage. */
export function ProgressBar({
  done,
  total,
  label,
}: {
  done: number;
  total: number;
  label: string;
}) {
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 100;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      data-testid={TID.progressBar}
    >
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
