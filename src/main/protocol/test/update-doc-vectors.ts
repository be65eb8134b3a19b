/**
 * Rewrites the outputs of every ```vector block in docs/PROTOCOL.md from the current code,
 * keeping the documented inputs. Run after an intentional wire change, then review the diff:
 *   npx tsx src/main/protocol/test/update-doc-vectors.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseVectorBlocks, renderVector } from './doc-vectors.js';

const file = new URL('../../../../docs/PROTOCOL.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const rendered = parseVectorBlocks(doc).map(renderVector);
let i = 0;
const updated = doc.replace(/^```vector name=[a-z0-9-]+\n[\s\S]*?^```$/gm, () => rendered[i++]!);
writeFileSync(file, updated);
console.log(`${rendered.length} vector blocks rewritten`);
