/** Hands a file to the browser's download machinery through a hidden <a download>. */

/** Lets the browser download `url` (a same-origin link, e.g. the web shell's one-time file link). */
export function saveUrl(url: string, fileName: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}

/** Saves bytes held in the page (small things: a backup) through a short-lived blob: URL. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  saveUrl(url, fileName);
  // Give the download a moment to start before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function saveText(text: string, fileName: string, mime = 'application/json'): void {
  saveBlob(new Blob([text], { type: mime }), fileName);
}
