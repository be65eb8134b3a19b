/**
 * Look-alike handles (PROTOCOL.md §2.1): the skeleton steps of UTS #39 §4, both keys, and the
 * properties the node relies on (every case variant and compatibility form of a handle is the
 * same name; unrelated handles stay apart).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { confusableSkeleton, handlesLookAlike, lookAlikeKeys } from './handle-skeleton.js';
import { isValidHandle } from './identity-card.js';

describe('confusableSkeleton (UTS #39 §4)', () => {
  it('maps each code point to its confusables.txt prototype', () => {
    expect(confusableSkeleton('\u0430')).toBe('a'); // CYRILLIC SMALL LETTER A
    expect(confusableSkeleton('\u0391')).toBe('A'); // GREEK CAPITAL LETTER ALPHA
    expect(confusableSkeleton('I')).toBe('l');
    expect(confusableSkeleton('1')).toBe('l');
    expect(confusableSkeleton('m')).toBe('rn');
    expect(confusableSkeleton('0')).toBe('O');
  });

  it('is case-sensitive, as the table is', () => {
    expect(confusableSkeleton('A')).toBe('A');
    expect(confusableSkeleton('a')).toBe('a');
  });

  it('drops default-ignorable code points and returns NFD', () => {
    expect(confusableSkeleton('a\u200bl\u034fi\ufe0fce')).toBe('alice');
    expect(confusableSkeleton('\u00e9')).toBe('e\u0301');
    expect(confusableSkeleton('\u00e9')).toBe(confusableSkeleton('e\u0301'));
  });

  it('is idempotent on its own output for plain Latin', () => {
    for (const text of ['alice', 'bob', 'rn', 'adrnin']) {
      expect(confusableSkeleton(confusableSkeleton(text))).toBe(confusableSkeleton(text));
    }
  });
});

describe('lookAlikeKeys and handlesLookAlike', () => {
  it.each([
    ['Alice', 'case-changed'],
    ['ALICE', 'capitals'],
    ['\uff21\uff2c\uff29\uff23\uff25', 'fullwidth'],
    ['\u0430lice', 'Cyrillic а'],
    ['\u0430l\u0456\u0441\u0435', 'all Cyrillic look-alikes'],
    ['\u0391Iice', 'Greek Alpha, capital I for l'],
    ['al\u0131ce', 'dotless ı'],
  ])('%s (%s) looks like alice', (handle) => {
    expect(handlesLookAlike('alice', handle)).toBe(true);
  });

  it('fullwidth ａdmin looks like admin; rn looks like m; b0b looks like bob', () => {
    expect(handlesLookAlike('admin', '\uff41dmin')).toBe(true);
    expect(handlesLookAlike('m', 'rn')).toBe(true);
    expect(handlesLookAlike('bob', 'b0b')).toBe(true);
  });

  it('keeps different names apart', () => {
    for (const [a, b] of [
      ['alice', 'alicia'],
      ['alice', 'bob'],
      ['bob', 'rob'],
      ['carol', 'carl'],
      ['anna', 'hanna'],
      ['李', '季'],
    ]) {
      expect(handlesLookAlike(a!, b!), `${a} / ${b}`).toBe(false);
    }
  });

  it('case key folds first; shape key takes the skeleton first (Ian and lan)', () => {
    expect(lookAlikeKeys('Ian')).toEqual({ caseKey: 'ian', shapeKey: 'lan' });
    expect(lookAlikeKeys('lan')).toEqual({ caseKey: 'lan', shapeKey: 'lan' });
    expect(lookAlikeKeys('Straße').caseKey).toBe(lookAlikeKeys('STRASSE').caseKey);
  });

  it('property: every case variant of a handle looks like it', () => {
    const letters = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzäöüßéçñøåæœ'.split(''));
    fc.assert(
      fc.property(
        fc.array(letters, { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean()),
        (chars, upper) => {
          const handle = chars.join('').normalize('NFC');
          const variant = chars
            .map((c, i) => (upper[i % Math.max(upper.length, 1)] ? c.toUpperCase() : c))
            .join('')
            .normalize('NFC');
          return handlesLookAlike(handle, variant);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: the NFKC fullwidth form of an ASCII handle looks like it', () => {
    const ascii = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,15}$/);
    fc.assert(
      fc.property(ascii, (handle) => {
        const fullwidth = [...handle]
          .map((c) => String.fromCodePoint(c.codePointAt(0)! - 0x21 + 0xff01))
          .join('');
        return isValidHandle(fullwidth) && handlesLookAlike(handle, fullwidth);
      }),
      { numRuns: 300 },
    );
  });

  it('property: both keys are deterministic strings in NFD', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), (text) => {
        const keys = lookAlikeKeys(text);
        return (
          keys.caseKey === keys.caseKey.normalize('NFD') &&
          keys.shapeKey === keys.shapeKey.normalize('NFD') &&
          JSON.stringify(lookAlikeKeys(text)) === JSON.stringify(keys)
        );
      }),
      { numRuns: 300 },
    );
  });
});
