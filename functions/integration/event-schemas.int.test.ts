import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { schemaFiles } from '../scripts/gen-event-schemas.ts'

describe('committed event JSON Schemas', () => {
  it.each(schemaFiles())(
    'docs/webhooks/schemas/$type.schema.json is what the payload schema says',
    async (schema) => {
      const committed = await readFile(schema.file, 'utf8').catch(() => '')
      expect(committed, 'stale: run pnpm --filter @relevo/functions gen:event-schemas').toBe(schema.text)
    },
  )
})
