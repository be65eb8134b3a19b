import { TID } from '../../testids';

/** A person's short fingerprint next to their handle: two people never look the same. */
export function Fingerprint({ value }: { value: string }) {
  return (
    <span
      className="fingerprint"
      data-testid={TID.fingerprint}
      title="The start of this person's key fingerprint: compare it to tell people with similar names apart"
    >
      {value}
    </span>
  );
}
