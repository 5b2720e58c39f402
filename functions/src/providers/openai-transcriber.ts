/**
 * @module
 * Voice notes to text through the OpenAI-compatible `POST /audio/transcriptions` (multipart: the
 * file and the model), so OpenAI's gpt-4o-mini-transcribe or whisper-1 and any compatible server
 * (faster-whisper, LocalAI, vLLM) behind `OPENAI_BASE_URL` all work (ADR 081).
 */
import { toFile } from 'openai'
import { MediaError, type Transcriber } from '../pipeline/media.ts'
import { createOpenAiClient, describeOpenAiError, type OpenAiClientOptions } from './openai-client.ts'

export function createOpenAiTranscriber(options: OpenAiClientOptions & { model: string }): Transcriber {
  const client = createOpenAiClient(options)
  return {
    model: options.model,
    async transcribe(audio) {
      try {
        const file = await toFile(audio.bytes, audio.filename, { type: audio.mimetype })
        const result = await client.audio.transcriptions.create({ file, model: options.model })
        return result.text.trim()
      } catch (error) {
        const failure = describeOpenAiError(error)
        throw new MediaError('transcription_failed', failure?.message ?? 'The transcription failed', {
          cause: error,
        })
      }
    },
  }
}
