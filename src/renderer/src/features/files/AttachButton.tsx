import { useRef } from 'react';
import { TID } from '../../testids';

/** A button that opens the file picker (a hidden <input type=file>) and hands over the files. */
export function AttachButton({
  disabled,
  onFiles,
}: {
  disabled: boolean;
  onFiles: (files: readonly File[]) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="icon-button"
        disabled={disabled}
        aria-label="Attach files"
        title="Attach files (or drop them on the room, or paste them)"
        onClick={() => input.current?.click()}
        data-testid={TID.attachButton}
      >
        +
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        disabled={disabled}
        tabIndex={-1}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          if (files.length > 0) onFiles(files);
        }}
        data-testid={TID.attachInput}
      />
    </>
  );
}
