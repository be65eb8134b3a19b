/** A QR code drawn from its modules (rows of 0/1 from main) as one SVG path, with a quiet zone. */
const QUIET_ZONE = 4;

export function QrCode({
  rows,
  label,
  testId,
}: {
  rows: readonly string[];
  label: string;
  testId: string;
}) {
  const size = rows.length + 2 * QUIET_ZONE;
  let path = '';
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (row[x] === '1') path += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h1v1h-1z`;
    }
  });
  return (
    <svg
      className="qr-code"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      data-testid={testId}
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
