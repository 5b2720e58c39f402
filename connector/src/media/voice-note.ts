/**
 * @module
 * WhatsApp plays a voice note (PTT) only as OGG/Opus. An agent's recording from a browser is
 * WebM/Opus (Chrome, Firefox) or MP4/AAC (Safari): such a file is converted with ffmpeg (Debian's
 * package in the Docker image, `FFMPEG_PATH` to use another) before it is sent as a voice note.
 */
import { spawn } from 'node:child_process'
import { SendError } from '../whatsapp/errors.ts'

export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus'

/** Whether a file sent as a voice note must be converted first (anything but OGG). */
export function needsVoiceConversion(mimetype: string): boolean {
  return (mimetype.split(';')[0] ?? '').trim().toLowerCase() !== 'audio/ogg'
}

/** Mono 48 kHz Opus at 32 kbit/s in OGG: what WhatsApp's own voice notes are. */
const ARGS = ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-vn', '-ac', '1', '-ar', '48000']
const OUTPUT = ['-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', 'pipe:1']

export function toOggOpus(data: Buffer, ffmpegPath = process.env.FFMPEG_PATH ?? 'ffmpeg'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fail = (detail: string, cause?: unknown) =>
      reject(
        new SendError('voice_conversion_failed', `Converting the voice note to OGG/Opus failed: ${detail}`, {
          retryable: false,
          hint: 'Install ffmpeg with libopus (the Docker image has it) or send the file as audio',
          cause,
        }),
      )
    const ffmpeg = spawn(ffmpegPath, [...ARGS, ...OUTPUT], { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    ffmpeg.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    ffmpeg.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500)
    })
    ffmpeg.on('error', (error) => fail(error.message, error))
    ffmpeg.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out))
      else fail(`ffmpeg exited with ${code}: ${stderr.trim()}`)
    })
    // A file ffmpeg refuses closes stdin early: that shows up as the exit code, not as an EPIPE crash.
    ffmpeg.stdin.on('error', () => {})
    ffmpeg.stdin.end(data)
  })
}
