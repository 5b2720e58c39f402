/**
 * Benchmark of the coordinator mapping (ADR 115): what a mapping adds to each AI run — filling
 * the template from a chat of 20 messages and reading the answer — and one call through the
 * coordinator client to the coordinator double over loopback HTTP (the Test's path without the
 * database). Writes bench/results/coordinator.json. Run: pnpm --filter @relevo/functions bench:coordinator
 */
import os from 'node:os'
import {
  type CoordinatorMapping,
  coordinatorMapping,
  MAPPING_PRESETS,
  SAMPLE_VALUES,
} from '@relevo/supabase/coordinator-mapping'
import { coordinatorMappingFor, createCoordinatorDouble } from '@relevo/testing/coordinator-double'
import { serve } from '@relevo/testing/serve'
import type { AiContext } from '../src/pipeline/provider.ts'
import { createCoordinatorClient, mappedDecision } from '../src/providers/coordinator-client.ts'
import { templateValues } from '../src/providers/http-provider.ts'
import { writeResult } from './report.ts'

const custom: CoordinatorMapping = coordinatorMappingFor(
  '{"input": {"text": "{{message}}", "phone": "{{customer_phone}}", "history": {{recent_messages_json}}}}',
)

const context: AiContext = {
  tenant: { id: 't', name: 'Demo Store', language: 'es', systemPrompt: '' },
  conversation: { id: 'c', channelId: 'ch' },
  customer: { name: 'Ana "Bench"', phone: '5215512345678' },
  messages: Array.from({ length: 20 }, (_, i) => ({
    id: `m${i}`,
    author: i % 2 ? 'ai' : 'customer',
    body: `Mensaje ${i}: ¿tienen la taza "azul" en talla grande?\nGracias`,
    createdAt: new Date(Date.UTC(2026, 11, 5, 10, i)).toISOString(),
  })),
  triggerMessageId: 'm19',
  storeFacts: [],
}

function microseconds(n: number, work: () => unknown) {
  for (let i = 0; i < 200; i++) work()
  const started = performance.now()
  for (let i = 0; i < n; i++) work()
  return Number((((performance.now() - started) / n) * 1000).toFixed(2))
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2))
  return { n: samples.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) }
}

const TOKEN = 'bench-token'
const served = await serve(createCoordinatorDouble({ token: TOKEN }).handle)
try {
  const client = (mapping: CoordinatorMapping) =>
    createCoordinatorClient({
      url: `${served.url}/coord`,
      mapping,
      secret: 'sign',
      headerSecret: TOKEN,
      allowPrivate: true,
      timeoutMs: 5_000,
      retries: 0,
    })
  const bench = client(custom)
  const v1 = client(MAPPING_PRESETS.relevo_v1)
  const samples: number[] = []
  for (let i = 0; i < 300; i++) {
    const started = performance.now()
    await bench.decide(templateValues(context))
    samples.push(performance.now() - started)
  }
  const answer = { data: { answer: 'Claro', escalate: false } }
  const results = {
    measured_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, load_average: os.loadavg().map((l) => Number(l.toFixed(1))) },
    per_run_us: {
      fill_v1_preset_20_messages: microseconds(5_000, () => v1.body(templateValues(context))),
      fill_custom_20_messages: microseconds(5_000, () => bench.body(templateValues(context))),
      read_answer: microseconds(50_000, () => mappedDecision(answer, custom)),
      validate_mapping: microseconds(5_000, () => coordinatorMapping.parse(custom)),
    },
    sample_body_bytes: bench.body(SAMPLE_VALUES).length,
    call_to_double_loopback_signed: percentiles(samples),
  }
  console.log(JSON.stringify(results, null, 2))
  await writeResult('coordinator', results)
} finally {
  await served.close()
}
