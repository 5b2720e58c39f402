import { CheckEnums, isOneOf } from '@relevo/supabase/enums'
import type { AuditEntry } from '../admin/types.ts'
import type { MessageKey } from '../i18n/es.ts'
import type { Params } from '../i18n/translate.ts'
import { jsonObject } from '../json-object.ts'

type Translate = (key: MessageKey, params?: Params) => string
type NameOf = (agentId: string | null) => string | undefined

const SIMPLE = new Set([
  'takeover',
  'handback',
  'auto_return',
  'assign',
  'close',
  'reopen',
  'send',
  'retry',
  'invitation_accepted',
  'invitation_revoked',
  'relink_requested',
])

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

/** Who did it: an agent by name, else the kind of actor (AI, system, business phone, connector). */
export function describeActor(entry: AuditEntry, t: Translate, nameOf: NameOf): string {
  const kind = entry.actor_kind
  if (!isOneOf(CheckEnums['audit_log.actor_kind'], kind) || kind === 'agent')
    return nameOf(entry.actor_id) ?? t('audit.actor.unknown')
  return t(`audit.actor.${kind}`)
}

/** One audit row as a localized sentence ("invited ana@x as agent", "changed settings: fallback_text"). */
export function describeAudit(entry: AuditEntry, t: Translate, nameOf: NameOf): string {
  const d = jsonObject(entry.details)
  if (SIMPLE.has(entry.action)) return t(`audit.${entry.action}` as MessageKey)
  switch (entry.action) {
    case 'handoff':
      return t('audit.handoff', { reason: str(d.reason) || '—' })
    case 'settings_changed':
      return t('audit.settings_changed', { fields: Array.isArray(d.fields) ? d.fields.join(', ') : '' })
    case 'secrets_changed': {
      const fields = Object.entries(d)
        .filter(([, set]) => set === true)
        .map(([name]) => name)
      return t('audit.secrets_changed', { fields: fields.join(', ') })
    }
    case 'invited':
      return t('audit.invited', {
        email: str(d.email),
        role: t(d.role === 'admin' ? 'team.role.admin' : 'team.role.agent'),
      })
    case 'agent_updated':
      return t('audit.agent_updated', {
        name: nameOf(str(d.agent_id)) ?? str(d.agent_id),
        role: t(d.role === 'admin' ? 'team.role.admin' : 'team.role.agent'),
        active: t(d.active === false ? 'audit.activeNo' : 'audit.activeYes'),
      })
    default:
      return t('audit.other', { action: entry.action })
  }
}
