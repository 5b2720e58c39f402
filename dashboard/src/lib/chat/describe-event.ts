import type { Translate } from '../i18n/translate.ts'
import { type JsonObject, jsonObject } from '../json-object.ts'
import type { Message } from '../types.ts'

function text(media: JsonObject, key: string): string | undefined {
  const value = media[key]
  return typeof value === 'string' && value.trim() ? value : undefined
}

/**
 * A system event row (type 'event', body = action, media = details from private.record_event)
 * as one localized sentence: "Ana took over", "La IA pasó el chat a una persona: …".
 * Names come from the event details, else from the agents list (handback stores only the id).
 */
export function describeEvent(
  msg: Message,
  t: Translate,
  nameOf: (agentId: string | null) => string | undefined,
): string {
  const media = jsonObject(msg.media)
  const name = text(media, 'agent_name') ?? nameOf(msg.agent_id) ?? t('event.someone')
  switch (msg.body) {
    case 'takeover':
      if (media.by_phone === true || media.actor_kind === 'phone') return t('event.takeoverPhone')
      return t(media.by_sending === true ? 'event.takeoverSend' : 'event.takeover', { name })
    case 'handback':
      return t('event.handback', { name })
    case 'handoff':
      return t('event.handoff', { reason: text(media, 'reason') ?? '—' })
    case 'auto_return':
      return t('event.autoReturn')
    case 'assign': {
      const assigneeId = text(media, 'assignee_id') ?? null
      if (!assigneeId) return t('event.unassign', { name })
      const assignee = text(media, 'assignee_name') ?? nameOf(assigneeId) ?? t('event.someone')
      return t('event.assign', { name, assignee })
    }
    case 'close':
      return t('event.close', { name })
    case 'reopen':
      return t('event.reopen', { name })
    default:
      return msg.body
  }
}
