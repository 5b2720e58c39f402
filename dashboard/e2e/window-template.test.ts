import { DEMO_CLOUD_CHANNEL_ID } from '@relevo/testing/demo-seed'
import type { FunctionsProcess } from '@relevo/testing/functions-process'
import { createGraphApiDouble } from '@relevo/testing/graph-api-double'
import { type Served, serve } from '@relevo/testing/serve'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pageOnFunctions, startRigFunctions } from './functions.ts'
import { ADMIN, useRig } from './harness.ts'

// The Cloud API number's window template (ADR 122): an admin chooses, on the Connection screen,
// the approved template the AI sends when a chat's 24-hour window has closed (listed from a Graph
// API double through the functions), with the customer's name as a parameter; and clears it.
const rig = useRig()
let graph: Served
let functions: FunctionsProcess

beforeAll(async () => {
  graph = await serve(createGraphApiDouble().handle)
  functions = await startRigFunctions(rig, {
    GRAPH_API_URL: graph.url,
  })
})

afterAll(async () => {
  await functions?.stop()
  await graph?.close()
})

const setting = async () =>
  (
    await rig.db.query<{ window_template: unknown }>(
      'select window_template from public.cloud_api_channels where channel_id = $1',
      [DEMO_CLOUD_CHANNEL_ID],
    )
  ).rows[0]?.window_template

describe('the window template of a Cloud API number', () => {
  it("an admin chooses the template the AI sends outside the window, with the customer's name, and clears it", async () => {
    const admin = await pageOnFunctions(rig, functions, ADMIN)
    await admin.goto(`${rig.site.url}/connection`)
    const box = admin.getByTestId('window-template')
    await box.getByText('no template: it hands the chat to a person.').waitFor()
    await box.getByRole('button', { name: 'Choose a template' }).click()
    await box.getByTestId('template-select').selectOption('order_update:es_MX')
    await box.getByText("Write {customer_name} in a parameter for the customer's name.").waitFor()
    await box.getByLabel('Parameter 1').fill('{customer_name}')
    await box.getByLabel('Parameter 2').fill('de hoy')
    await box.getByRole('button', { name: 'Use this template' }).click()
    await box.getByText('Hola {customer_name}, tu pedido de hoy va en camino.').first().waitFor()
    expect(await setting()).toEqual({
      name: 'order_update',
      language: 'es_MX',
      parameters: ['{customer_name}', 'de hoy'],
      body: 'Hola {{1}}, tu pedido {{2}} va en camino.',
    })
    await box.getByRole('button', { name: 'Hand off instead' }).click()
    await box.getByText('no template: it hands the chat to a person.').waitFor()
    expect(await setting()).toBeNull()
  })
})
