/**
 * Writes functions/openapi/monitoring.json from the monitoring API's zod schemas
 * (`pnpm --filter @relevo/functions gen:openapi`); integration/monitoring-openapi.int.test.ts fails
 * when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs'
import { monitoringOpenApi } from '../src/routes/monitoring-openapi.ts'

const target = new URL('../openapi/monitoring.json', import.meta.url)
writeFileSync(target, `${JSON.stringify(monitoringOpenApi(), null, 2)}\n`)
process.stdout.write(`Wrote ${target.pathname}\n`)
