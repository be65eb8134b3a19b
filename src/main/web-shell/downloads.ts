/**
 * One-time download links for finished downloads: the browser saves a file straight from main
 * (streamed from disk) instead of assembling it in the page. A ticket is 128 random bits, good
 * for one GET within a minute, and only on the shell's own Host (checked by the server).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

export const DOWNLOAD_PATH_PREFIX = '/download/';
const TICKET_TTL_MS = 60_000;
const MAX_TICKETS = 256;

interface Ticket {
  readonly path: string;
  readonly name: string;
  readonly mime: string;
  readonly expires: number;
}

export class DownloadTickets {
  private readonly tickets = new Map<string, Ticket>();

  /** A same-origin URL path that serves `path` once, as an attachment named `name`. */
  offer(path: string, name: string, mime: string): string {
    this.sweep();
    if (this.tickets.size >= MAX_TICKETS) {
      const oldest = this.tickets.keys().next().value;
      if (oldest !== undefined) this.tickets.delete(oldest);
    }
    const ticket = randomBytes(16).toString('base64url');
    this.tickets.set(ticket, { path, name, mime, expires: Date.now() + TICKET_TTL_MS });
    return `${DOWNLOAD_PATH_PREFIX}${ticket}`;
  }

  /** Serves and spends the ticket in `pathname`; 404 for anything unknown, used or expired. */
  async serve(pathname: string, response: ServerResponse): Promise<void> {
    this.sweep();
    const key = pathname.slice(DOWNLOAD_PATH_PREFIX.length);
    const ticket = this.tickets.get(key);
    this.tickets.delete(key);
    if (ticket === undefined) {
      response.writeHead(404).end();
      return;
    }
    const { size } = await stat(ticket.path);
    response.writeHead(200, {
      'Content-Type': ticket.mime || 'application/octet-stream',
      'Content-Length': size,
      // RFC 6266 / 5987: the UTF-8 name, and an ASCII fallback without quotes or controls.
      'Content-Disposition': `attachment; filename="${asciiName(ticket.name)}"; filename*=UTF-8''${encodeURIComponent(ticket.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    createReadStream(ticket.path).pipe(response);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, ticket] of this.tickets) if (ticket.expires < now) this.tickets.delete(key);
  }
}

function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}
