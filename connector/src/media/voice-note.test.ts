import { mediaFixture } from '@relevo/testing/media-fixtures'
import { describe, expect, it } from 'vitest'
import { SendError } from '../whatsapp/errors.ts'
import { needsVoiceConversion, toOggOpus } from './voice-note.ts'

describe('voice notes for WhatsApp', () => {
  it('converts only what is not OGG', () => {
    expect(needsVoiceConversion('audio/ogg; codecs=opus')).toBe(false)
    expect(needsVoiceConversion('audio/webm;codecs=opus')).toBe(true)
    expect(needsVoiceConversion('audio/mp4')).toBe(true)
  })

  it('turns an MP3 into OGG/Opus with Debian ffmpeg', async () => {
    const converted = await toOggOpus(mediaFixture('audio').data)
    expect(converted.subarray(0, 4).toString('latin1')).toBe('OggS')
    expect(converted.includes(Buffer.from('OpusHead'))).toBe(true)
  })

  it('refuses a file ffmpeg cannot read, for good', async () => {
    const error = await toOggOpus(Buffer.from('not audio at all')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SendError)
    expect(error).toMatchObject({ code: 'voice_conversion_failed', retryable: false })
  })
})
