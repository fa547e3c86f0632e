/** A waiver's paragraphs (split at blank lines), each with its line breaks as spaces. */
export function waiverParagraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
}
