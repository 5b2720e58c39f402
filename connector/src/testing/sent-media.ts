/**
 * Test support: what the simulator records of a file the outbox sent — its description, and the
 * size and SHA-256 of the bytes that reached the phone — so a test compares them with the file it queued.
 */
import { type MediaFixture, sha256 } from '@relevo/testing/media-fixtures'

/** `described` is what the message said of the file besides its bytes (it may override the MIME type). */
export function sentMedia(
  file: Pick<MediaFixture, 'mimetype' | 'data'>,
  described: { mimetype?: string; filename?: string; voice?: boolean } = {},
) {
  return { mimetype: file.mimetype, ...described, size: file.data.length, sha256: sha256(file.data) }
}
