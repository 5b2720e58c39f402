/**
 * The coordinator mapping as the Settings form edits it (ADR 115): a preset or a custom mapping,
 * headers as `Name: value` lines. Checked with the same schema the functions and the Worker use.
 */
import {
  type CoordinatorMapping,
  coordinatorMapping,
  MAPPING_PRESETS,
  type MappingPreset,
} from '@relevo/supabase/coordinator-mapping'

export type MappingChoice = MappingPreset | 'custom'

export interface CoordinatorForm {
  choice: MappingChoice
  body: string
  headers: string
  reply_path: string
  handoff_path: string
  reason_path: string
}

/**
 * The stored value: null is Relevo's v1 contract, a mapping equal to a preset shows as that
 * preset. The column's CHECK and the same schema on save keep an unreadable value out.
 */
export function toCoordinatorForm(stored: unknown): CoordinatorForm {
  const parsed = coordinatorMapping.nullable().safeParse(stored)
  const shown = (parsed.success ? parsed.data : null) ?? MAPPING_PRESETS.relevo_v1
  const preset = (Object.keys(MAPPING_PRESETS) as MappingPreset[]).find(
    (name) => JSON.stringify(normalized(MAPPING_PRESETS[name])) === JSON.stringify(normalized(shown)),
  )
  return {
    choice: preset ?? 'custom',
    body: shown.body,
    headers: Object.entries(shown.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
    reply_path: shown.reply_path,
    handoff_path: shown.handoff_path ?? '',
    reason_path: shown.reason_path ?? '',
  }
}

/** Choosing a preset fills every field with it; "custom" keeps what is there to edit. */
export function choose(form: CoordinatorForm, choice: MappingChoice): CoordinatorForm {
  return choice === 'custom' ? { ...form, choice } : { ...toCoordinatorForm(MAPPING_PRESETS[choice]), choice }
}

export type MappingResult =
  | { ok: true; mapping: CoordinatorMapping | null }
  | { ok: false; problems: string[] }

/** The v1 preset is stored as null (the signed v1 contract); anything else as its mapping. */
export function parseCoordinatorForm(form: CoordinatorForm): MappingResult {
  const headers: Record<string, string> = {}
  const problems: string[] = []
  for (const line of form.headers.split('\n')) {
    if (!line.trim()) continue
    const colon = line.indexOf(':')
    if (colon < 1) problems.push(`headers: "${line.trim()}" is not "Name: value"`)
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim()
  }
  const parsed = coordinatorMapping.safeParse({
    body: form.body,
    headers,
    reply_path: form.reply_path,
    handoff_path: form.handoff_path.trim() || null,
    reason_path: form.reason_path.trim() || null,
  })
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`))
  if (problems.length > 0 || !parsed.data) return { ok: false, problems }
  const isV1 =
    JSON.stringify(normalized(parsed.data)) === JSON.stringify(normalized(MAPPING_PRESETS.relevo_v1))
  return { ok: true, mapping: isV1 ? null : parsed.data }
}

/** For comparing: key order and absent-vs-null paths do not make a mapping different. */
function normalized(m: CoordinatorMapping) {
  return {
    body: m.body,
    headers: Object.entries(m.headers).sort(),
    reply_path: m.reply_path,
    handoff_path: m.handoff_path ?? null,
    reason_path: m.reason_path ?? null,
  }
}
