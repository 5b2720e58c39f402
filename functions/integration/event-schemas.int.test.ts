import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { schemaFiles } from '../scripts/gen-event-schemas.ts'

describe('committed event JSON Schemas', () => {
  it.each(schemaFiles().map((schema) => [schema.type, schema] as const))(
    'docs/webhooks/schemas/%s.schema.json is what the payload schema says',
    async (_type, schema) => {
      // Compared as JSON: Biome formats the committed files its own way.
      const committed: unknown = JSON.parse(await readFile(schema.file, 'utf8').catch(() => 'null'))
      expect(committed, 'stale: run pnpm --filter @relevo/functions gen:event-schemas').toEqual(
        JSON.parse(schema.text),
      )
    },
  )
})
