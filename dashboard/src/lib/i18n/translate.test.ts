import { describe, expect, it } from 'vitest'
import { en } from './en.ts'
import { es } from './es.ts'
import { detectLocale, interpolate, translate, translateError } from './translate.ts'

describe('dictionaries', () => {
  it('have the same keys in Spanish and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort())
  })

  it('use the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const key of Object.keys(es) as (keyof typeof es)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(es[key]))
    }
  })
})

describe('translate', () => {
  it('fills placeholders per language', () => {
    expect(translate('es', 'event.takeover', { name: 'Ana' })).toBe('Ana tomó el control')
    expect(translate('en', 'event.takeover', { name: 'Ana' })).toBe('Ana took over')
  })

  it('leaves an unknown placeholder visible', () => {
    expect(interpolate('{name} and {other}', { name: 'Ana' })).toBe('Ana and {other}')
  })
})

describe('detectLocale', () => {
  it('takes the first supported browser language', () => {
    expect(detectLocale(['fr-FR', 'en-US', 'es'])).toBe('en')
    expect(detectLocale(['es-MX'])).toBe('es')
  })

  it('falls back to Spanish', () => {
    expect(detectLocale(['de-DE'])).toBe('es')
    expect(detectLocale([])).toBe('es')
  })
})

describe('translateError', () => {
  it('explains known SQL error codes and falls back for unknown ones', () => {
    expect(translateError('en', 'invalid_body')).toBe('A message needs 1 to 4096 characters.')
    expect(translateError('es', 'something_new')).toBe('Algo salió mal. Inténtalo de nuevo.')
  })
})
