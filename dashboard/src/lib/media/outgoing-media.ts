/** A file an agent uploaded to `<tenant>/outgoing/`, as `send_agent_message`'s `p_media` takes it (ADR 086). */
export interface OutgoingMedia {
  path: string
  mimetype: string
  filename: string
}

export function isOutgoingMedia(value: unknown): value is OutgoingMedia {
  const v = value as Partial<OutgoingMedia> | null
  return typeof v?.path === 'string' && typeof v.mimetype === 'string' && typeof v.filename === 'string'
}
