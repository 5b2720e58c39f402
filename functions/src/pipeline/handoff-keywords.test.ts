import { describe, expect, it } from 'vitest'
import { findHandoffKeyword } from './handoff-keywords.ts'

const keywords = ['humano', 'persona', 'agente', 'hablar con alguien', 'human', 'agent', 'talk to someone']

describe('findHandoffKeyword', () => {
  it('matches whole words regardless of case and accents, in Spanish and English', () => {
    expect(findHandoffKeyword(['Quiero un HUMÁNO'], keywords)).toBe('humano')
    expect(findHandoffKeyword(['can I talk   to someone?'], keywords)).toBe('talk to someone')
    expect(findHandoffKeyword(['necesito hablar con alguien ya'], keywords)).toBe('hablar con alguien')
    expect(findHandoffKeyword(['hola', 'un agente por favor'], keywords)).toBe('agente')
  })

  it('does not fire inside other words', () => {
    expect(findHandoffKeyword(['un regalo personalizado'], keywords)).toBeNull()
    expect(findHandoffKeyword(['los agentes de ventas?'], ['agent'])).toBeNull()
    expect(findHandoffKeyword(['humanitarian'], keywords)).toBeNull()
  })

  it("uses the tenant's own list", () => {
    expect(findHandoffKeyword(['quiero al gerente'], ['gerente'])).toBe('gerente')
    expect(findHandoffKeyword(['quiero un humano'], [])).toBeNull()
  })
})
