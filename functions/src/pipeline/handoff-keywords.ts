/**
 * @module
 * Handoff rule 5, first trigger: the customer asks for a person. Matching ignores case and
 * accents ("Humáno" = "humano") and needs whole words, so "agent" does not fire inside "agentes"
 * and "persona" not inside "personalizado".
 */

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The first keyword found in any of the texts, or null. */
export function findHandoffKeyword(texts: string[], keywords: string[]): string | null {
  const haystack = texts.map(fold)
  for (const keyword of keywords) {
    const word = fold(keyword).trim()
    if (!word) continue
    const pattern = new RegExp(
      `(?:^|[^\\p{L}\\p{N}])${escapeRegExp(word).replace(/\s+/g, '\\s+')}(?:$|[^\\p{L}\\p{N}])`,
      'u',
    )
    if (haystack.some((t) => pattern.test(t))) return keyword
  }
  return null
}
