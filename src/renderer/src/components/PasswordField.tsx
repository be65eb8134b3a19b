/** A labelled passphrase input. `isNew` picks the browser's autocomplete hint. */
export function PasswordField({
  label,
  value,
  onChange,
  testId,
  isNew,
  autoFocus = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  isNew: boolean;
  autoFocus?: boolean;
}) {
  return (
    <label>
      {label}
      <input
        type="password"
        value={value}
        autoFocus={autoFocus}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
        autoComplete={isNew ? 'new-password' : 'current-password'}
      />
    </label>
  );
}
