import { describe, expect, it } from 'vitest'
import { snippetParts } from './snippet-parts.ts'

describe('snippetParts', () => {
  it('splits marked matches from plain text', () => {
    expect(snippetParts('Los \uE000zapatos\uE001 \uE000rojos\uE001 no llegaron')).toEqual([
      { text: 'Los ', match: false },
      { text: 'zapatos', match: true },
      { text: ' ', match: false },
      { text: 'rojos', match: true },
      { text: ' no llegaron', match: false },
    ])
  })

  it('keeps markup as text and tolerates stray markers', () => {
    expect(snippetParts('<b>x</b> \uE000y')).toEqual([
      { text: '<b>x</b> ', match: false },
      { text: '\uE000y'.slice(1), match: false },
    ])
    expect(snippetParts('a\uE001b')).toEqual([{ text: 'ab', match: false }])
    expect(snippetParts('')).toEqual([])
  })
})
