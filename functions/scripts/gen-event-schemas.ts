/**
 * Writes docs/webhooks/schemas/<type>.schema.json from src/events/event-schemas.ts (the payloads
 * Relevo sends out). integration/event-schemas.int.test.ts fails when a committed file is stale.
 */
import { writeFile } from 'node:fs/promises'
import { type EventType, eventData, eventJsonSchema } from '../src/events/event-schemas.ts'

export function schemaFiles(): { type: EventType; file: URL; text: string }[] {
  return (Object.keys(eventData) as EventType[]).map((type) => ({
    type,
    file: new URL(`../../docs/webhooks/schemas/${type}.schema.json`, import.meta.url),
    text: `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`,
  }))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { file, text } of schemaFiles()) await writeFile(file, text)
}
