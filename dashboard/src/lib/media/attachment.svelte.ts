import { DeskError } from '../desk-error.ts'
import { checkFile, type FileCheck } from './media-limits.ts'
import type { MediaService } from './media-service.ts'
import type { OutgoingMedia } from './outgoing-media.ts'

/** A refused file (with its name and size, for the message) or a failed upload (an error code). */
export type AttachmentProblem =
  | (Exclude<FileCheck, { ok: true }> & { name: string; size: number })
  | { ok: false; reason: 'error'; code: string }

/**
 * The file the agent is about to send in one chat: chosen with the button, dropped on the thread
 * or pasted. It is checked against the upload rules at once, so a refusal shows before any byte
 * is sent; `upload()` then sends it with progress.
 */
export class Attachment {
  file = $state<File | null>(null)
  mimetype = $state('')
  problem = $state<AttachmentProblem | null>(null)
  /** 0..1 while uploading, else null. */
  progress = $state<number | null>(null)
  /** An object URL for an image's preview (revoked on clear). */
  preview = $state<string | null>(null)
  private seq = 0

  constructor(private readonly media: Pick<MediaService, 'uploadRules' | 'upload'>) {}

  get uploading(): boolean {
    return this.progress !== null
  }

  async choose(file: File): Promise<void> {
    if (this.uploading) return
    this.clear()
    const seq = ++this.seq
    let check: FileCheck
    try {
      check = checkFile(file, await this.media.uploadRules())
    } catch (error) {
      if (seq === this.seq) this.problem = { ok: false, reason: 'error', code: codeOf(error, 'media_rules') }
      return
    }
    if (seq !== this.seq) return
    if (!check.ok) {
      this.problem = { ...check, name: file.name, size: file.size }
      return
    }
    this.file = file
    this.mimetype = check.mimetype
    if (check.kind === 'image') this.preview = URL.createObjectURL(file)
  }

  /** Uploads the chosen file; null (with `problem` set) when Storage refused it or the network failed. */
  async upload(): Promise<OutgoingMedia | null> {
    const file = this.file
    if (!file || this.uploading) return null
    this.progress = 0
    try {
      return await this.media.upload(file, this.mimetype, (sent, total) => {
        this.progress = total > 0 ? sent / total : 0
      })
    } catch (error) {
      this.problem = { ok: false, reason: 'error', code: codeOf(error, 'upload_failed') }
      return null
    } finally {
      this.progress = null
    }
  }

  clear(): void {
    if (this.preview) URL.revokeObjectURL(this.preview)
    this.seq += 1
    this.file = null
    this.mimetype = ''
    this.problem = null
    this.preview = null
  }
}

function codeOf(error: unknown, fallback: string): string {
  return error instanceof DeskError ? error.code : fallback
}

/** The first file of a drop or paste, if any. */
export function firstFile(data: DataTransfer | null): File | null {
  if (!data) return null
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind === 'file') {
      const file = item.getAsFile()
      if (file) return file
    }
  }
  return data.files?.[0] ?? null
}
