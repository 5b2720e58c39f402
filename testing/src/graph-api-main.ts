/**
 * @module
 * The Graph API double as a process for `./relevo dev`: the demo Cloud API number on
 * http://127.0.0.1:3200 (GRAPH_API_PORT), sending signed webhooks to the local functions
 * (GRAPH_API_WEBHOOK_URL) and reporting sent/delivered for each message the business sends.
 */
import { createGraphApiDouble } from './graph-api-double.ts'
import { serve } from './serve.ts'

const port = Number(process.env.GRAPH_API_PORT ?? 3200)
const webhook = process.env.GRAPH_API_WEBHOOK_URL ?? 'http://127.0.0.1:8787/webhooks/whatsapp'
const double = createGraphApiDouble({ webhook, autoStatuses: true })
const served = await serve(double.handle, port)
process.stdout.write(
  `Graph API double on ${served.url}: number ${double.number.phoneNumberId} → webhooks to ${webhook}\n`,
)
const stop = () => void served.close().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
