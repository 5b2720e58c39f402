import { describe, expect, it } from 'vitest'
import {
  checkFile,
  extensionFor,
  kindOf,
  outgoingPath,
  typeAllowed,
  type UploadRules,
} from './media-limits.ts'

const MiB = 1024 * 1024
const rules: UploadRules = {
  maxBytes: { image: 16 * MiB, audio: 16 * MiB, video: 16 * MiB, document: 100 * MiB },
  bucketMaxBytes: 100 * MiB,
  allowedTypes: ['image/jpeg', 'image/png', 'audio/*', 'video/*', 'application/pdf'],
}

describe('kindOf', () => {
  it('maps image, audio and video families and everything else to document', () => {
    expect(kindOf('image/png')).toBe('image')
    expect(kindOf('audio/ogg; codecs=opus')).toBe('audio')
    expect(kindOf('video/mp4')).toBe('video')
    expect(kindOf('application/pdf')).toBe('document')
  })
})

describe('typeAllowed', () => {
  it("follows Storage's rule: exact types and family wildcards, parameters part of the type", () => {
    expect(typeAllowed('image/png', rules.allowedTypes)).toBe(true)
    expect(typeAllowed('IMAGE/PNG', rules.allowedTypes)).toBe(true)
    expect(typeAllowed('audio/ogg; codecs=opus', rules.allowedTypes)).toBe(true)
    expect(typeAllowed('image/svg+xml', rules.allowedTypes)).toBe(false)
    expect(typeAllowed('application/pdf; x=1', rules.allowedTypes)).toBe(false)
    expect(typeAllowed('application/x-msdownload', null)).toBe(true)
  })
})

describe('checkFile', () => {
  it('accepts a file within its kind limit', () => {
    expect(checkFile({ size: 2 * MiB, type: 'image/jpeg' }, rules)).toEqual({
      ok: true,
      kind: 'image',
      mimetype: 'image/jpeg',
    })
  })

  it('refuses a file over its kind limit even when the bucket would take it', () => {
    expect(checkFile({ size: 16 * MiB + 1, type: 'image/png' }, rules)).toEqual({
      ok: false,
      reason: 'too_large',
      kind: 'image',
      maxBytes: 16 * MiB,
    })
    expect(checkFile({ size: 16 * MiB, type: 'image/png' }, rules).ok).toBe(true)
  })

  it('caps every kind by the bucket limit', () => {
    const small = { ...rules, bucketMaxBytes: 5 * MiB }
    expect(checkFile({ size: 6 * MiB, type: 'application/pdf' }, small)).toMatchObject({
      reason: 'too_large',
      maxBytes: 5 * MiB,
    })
  })

  it('refuses a type outside the allow-list, an unknown type as octet-stream, and an empty file', () => {
    expect(checkFile({ size: 10, type: 'application/x-msdownload' }, rules)).toEqual({
      ok: false,
      reason: 'type',
      mimetype: 'application/x-msdownload',
    })
    expect(checkFile({ size: 10, type: '' }, rules)).toMatchObject({
      reason: 'type',
      mimetype: 'application/octet-stream',
    })
    expect(checkFile({ size: 0, type: 'image/png' }, rules)).toEqual({ ok: false, reason: 'empty' })
  })
})

describe('outgoingPath', () => {
  it("puts the file in the tenant's outgoing folder with a safe extension", () => {
    expect(outgoingPath('t1', 'u1', 'Factura Mayo.PDF', 'application/pdf')).toBe('t1/outgoing/u1.pdf')
    expect(outgoingPath('t1', 'u1', 'image', 'image/png')).toBe('t1/outgoing/u1.png')
    expect(extensionFor('clip', 'audio/ogg; codecs=opus')).toBe('ogg')
    expect(extensionFor('x', 'application/x-unknown')).toBe('bin')
    expect(extensionFor('../../etc/passwd', 'text/plain')).toBe('txt')
  })
})
