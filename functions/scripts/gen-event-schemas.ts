/**
 * Writes docs/webhooks/schemas/<type>.schema.json from src/events/event-schemas.ts (the payloads
 * Relevo sends out). `--check` fails instead when a committed file differs (run by the integration suite).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { eventData, type EventType, eventJsonSchema } from '../src/events/event-schemas.ts'

export const SCHEMA_DIR = new URL('../../docs/webhooks/schemas/', import.meta.url)

export function schemaFiles(): { type: EventType; file: URL; text: string }[] {
  return (Object.keys(eventData) as EventType[]).map((type) => ({
    type,
    file: new URL(`${type}.schema.json`, SCHEMA_DIR),
    text: `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`,
  }))
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check')
  const stale: string[] = []
  for (const { file, text } of schemaFiles()) {
    if (!check) await writeFile(file, text)
    else if ((await readFile(file, 'utf8').catch(() => '')) !== text) stale.push(file.pathname)
  }
  if (stale.length > 0) {
    console.error(`Stale event schemas: ${stale.join(', ')}\nRun pnpm --filter @relevo/functions gen:event-schemas`)
    process.exit(1)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
