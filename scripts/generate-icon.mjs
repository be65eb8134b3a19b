#!/usr/bin/env node
// Renders build/icon.svg into build/icon.png (512×512 RGBA) with Node built-ins only:
//
//   node scripts/generate-icon.mjs
//
// The SVG is kept to a subset this script draws exactly: <rect> (x, y, width, height, rx) and
// <circle> (cx, cy, r) with a hex `fill`, painted in document order, 4×4 supersampled. Anything
// else in the SVG is an error, so the PNG can never silently differ from the SVG. electron-builder
// makes the platform formats (.icns, .ico, Linux sizes) from the PNG.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ICON_SVG = join(projectRoot, 'build', 'icon.svg');
export const ICON_PNG = join(projectRoot, 'build', 'icon.png');
export const ICON_SIZE = 512;
const SUPERSAMPLE = 4;

function attributes(text) {
  const result = {};
  for (const [, name, value] of text.matchAll(/([a-zA-Z][\w:-]*)\s*=\s*"([^"]*)"/g)) {
    result[name] = value;
  }
  return result;
}

function number(attrs, name, fallback) {
  const raw = attrs[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value))
    throw new Error(`icon.svg: bad ${name}="${raw}"`);
  return value;
}

function color(hex) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex ?? '');
  if (!m) throw new Error(`icon.svg: fill must be #rgb or #rrggbb, got ${JSON.stringify(hex)}`);
  const digits = m[1].length === 3 ? [...m[1]].map((d) => d + d).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
}

/** The shapes of the supported SVG subset, in paint order, and the canvas size. */
export function parseIconSvg(text) {
  const body = text.replace(/<!--[\s\S]*?-->/g, '');
  const root = /<svg\b([^>]*)>([\s\S]*)<\/svg>\s*$/.exec(body.trim());
  if (!root) throw new Error('icon.svg: no <svg> root');
  const svg = attributes(root[1]);
  const viewBox = (svg.viewBox ?? '').trim().split(/\s+/).map(Number);
  if (viewBox.length !== 4 || viewBox[0] !== 0 || viewBox[1] !== 0 || viewBox[2] !== viewBox[3]) {
    throw new Error('icon.svg: viewBox must be "0 0 N N"');
  }
  const shapes = [];
  const rest = root[2].replace(/<(rect|circle)\b([^>]*?)\/>/g, (_all, tag, attrText) => {
    const a = attributes(attrText);
    const fill = color(a.fill);
    if (tag === 'rect') {
      const width = number(a, 'width');
      const height = number(a, 'height');
      const rx = Math.min(number(a, 'rx', 0), width / 2, height / 2);
      shapes.push({
        kind: 'rect',
        x: number(a, 'x', 0),
        y: number(a, 'y', 0),
        width,
        height,
        rx,
        fill,
      });
    } else {
      shapes.push({
        kind: 'circle',
        cx: number(a, 'cx'),
        cy: number(a, 'cy'),
        r: number(a, 'r'),
        fill,
      });
    }
    return '';
  });
  if (rest.trim() !== '')
    throw new Error(`icon.svg: unsupported content: ${rest.trim().slice(0, 80)}`);
  return { size: viewBox[2], shapes };
}

function contains(shape, x, y) {
  if (shape.kind === 'circle') {
    const dx = x - shape.cx;
    const dy = y - shape.cy;
    return dx * dx + dy * dy <= shape.r * shape.r;
  }
  const { x: x0, y: y0, width, height, rx } = shape;
  if (x < x0 || y < y0 || x > x0 + width || y > y0 + height) return false;
  if (rx <= 0) return true;
  const dx = Math.max(x0 + rx - x, 0, x - (x0 + width - rx));
  const dy = Math.max(y0 + rx - y, 0, y - (y0 + height - rx));
  return dx * dx + dy * dy <= rx * rx;
}

/** RGBA pixels (row-major, 4 bytes each) of the shapes drawn at `size`×`size`. */
export function rasterize({ size: viewSize, shapes }, size = ICON_SIZE) {
  const pixels = new Uint8Array(size * size * 4);
  const scale = viewSize / size;
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) * scale;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) * scale;
          for (let i = shapes.length - 1; i >= 0; i--) {
            if (contains(shapes[i], x, y)) {
              const [cr, cg, cb] = shapes[i].fill;
              r += cr;
              g += cg;
              b += cb;
              covered++;
              break;
            }
          }
        }
      }
      const at = (py * size + px) * 4;
      if (covered > 0) {
        pixels[at] = Math.round(r / covered);
        pixels[at + 1] = Math.round(g / covered);
        pixels[at + 2] = Math.round(b / covered);
        pixels[at + 3] = Math.round((255 * covered) / samples);
      }
    }
  }
  return pixels;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG file (8-bit RGBA, no interlace) of `pixels`. */
export function encodePng(width, height, pixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    rows.set(pixels.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const icon = parseIconSvg(readFileSync(ICON_SVG, 'utf8'));
  writeFileSync(ICON_PNG, encodePng(ICON_SIZE, ICON_SIZE, rasterize(icon)));
  process.stdout.write(`${ICON_PNG}\n`);
}
