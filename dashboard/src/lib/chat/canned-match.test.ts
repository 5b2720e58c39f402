import { describe, expect, it } from 'vitest'
import { cannedMatches } from './canned-match.ts'

const replies = [
  { id: '1', shortcut: 'hola', body: '¡Hola!', owner_id: null },
  { id: '2', shortcut: 'envio', body: 'Los envíos tardan…', owner_id: null },
  { id: '3', shortcut: 'envio-express', body: 'Express…', owner_id: null },
]

describe('cannedMatches', () => {
  it('opens with "/" and lists every reply', () => {
    expect(cannedMatches('/', replies)?.map((r) => r.shortcut)).toEqual(['hola', 'envio', 'envio-express'])
  })

  it('narrows by prefix, case-insensitively', () => {
    expect(cannedMatches('/EnV', replies)?.map((r) => r.id)).toEqual(['2', '3'])
    expect(cannedMatches('/zzz', replies)).toEqual([])
  })

  it('stays closed for normal text and for a slash inside a sentence', () => {
    expect(cannedMatches('hola', replies)).toBeNull()
    expect(cannedMatches('10/12', replies)).toBeNull()
    expect(cannedMatches('/hola ', replies)).toBeNull()
  })
})
