import { CURRENT_WAIVER } from '@dispatch/domain';
import { describe, expect, it } from 'vitest';
import { waiverParagraphs } from './paragraphs.ts';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('waiverParagraphs', () => {
  it('shows every word of the signed waiver, in order, with no line break left inside a paragraph', () => {
    const paragraphs = waiverParagraphs(CURRENT_WAIVER.text);
    expect(words(paragraphs.join(' '))).toEqual(words(CURRENT_WAIVER.text));
    for (const paragraph of paragraphs) expect(paragraph).not.toMatch(/\n/);
  });

  it('keeps blank-line paragraphs apart and drops empty ones', () => {
    expect(waiverParagraphs('\nFirst line\nwraps here.\n\n  \nSecond one.\n')).toEqual([
      'First line wraps here.',
      'Second one.',
    ]);
  });
});
