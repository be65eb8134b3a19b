/**
 * Handles that look alike (docs/PROTOCOL.md §2.1). Two handles are confusable when either of
 * their look-alike keys is equal:
 *
 *   skeleton(x)  = UTS #39 §4: NFD → drop Default_Ignorable_Code_Point → each code point replaced
 *                  by its confusables.txt prototype → NFD
 *   caseKey(h)   = skeleton(fold(NFKC(h)))          "Alice", "ＡＬＩＣＥ", "аlice" (Cyrillic а)
 *   shapeKey(h)  = NFD(fold(skeleton(NFKC(h))))     also "AIice" (capital I) and "Ian" / "lan"
 *
 * `fold` is Unicode full case folding (CaseFolding.txt statuses C and F). Folding first makes
 * every case variant equal; the skeleton first keeps look-alikes that only exist in one case
 * (capital I and small l). Data: confusables.txt 13.0.0 as shipped by `unhomoglyph` 1.0.6 (the
 * table Element uses), CaseFolding.txt 17.0 as shipped by `unicode-case-folding` 1.1.1; NFKC and
 * NFD come from the runtime (ECMAScript `String.prototype.normalize`).
 */
import { caseFold } from 'unicode-case-folding';
import CONFUSABLES_JSON from 'unhomoglyph/data.json' with { type: 'json' };

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

let prototypes: ReadonlyMap<string, string> | undefined;

/** confusables.txt as a map from one code point to its prototype (built on first use). */
function confusablePrototypes(): ReadonlyMap<string, string> {
  prototypes ??= new Map(Object.entries(CONFUSABLES_JSON as Readonly<Record<string, string>>));
  return prototypes;
}

/** The UTS #39 §4 confusable skeleton of `text`. */
export function confusableSkeleton(text: string): string {
  const map = confusablePrototypes();
  let out = '';
  for (const char of text.normalize('NFD').replace(DEFAULT_IGNORABLE, '')) {
    out += map.get(char) ?? char;
  }
  return out.normalize('NFD');
}

export interface LookAlikeKeys {
  /** skeleton(fold(NFKC(handle))) */
  readonly caseKey: string;
  /** NFD(fold(skeleton(NFKC(handle)))) */
  readonly shapeKey: string;
}

export function lookAlikeKeys(handle: string): LookAlikeKeys {
  const compatible = handle.normalize('NFKC');
  return {
    caseKey: confusableSkeleton(caseFold(compatible)),
    shapeKey: caseFold(confusableSkeleton(compatible)).normalize('NFD'),
  };
}

/** True when a reader could take one handle for the other (§2.1). */
export function handlesLookAlike(a: string, b: string): boolean {
  const ka = lookAlikeKeys(a);
  const kb = lookAlikeKeys(b);
  return ka.caseKey === kb.caseKey || ka.shapeKey === kb.shapeKey;
}
