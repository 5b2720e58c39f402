/**
 * main.ts as a real process: a buffered message survives `kill -9` and is stored by the next
 * process on the same data dir; SIGTERM exits 0.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnConnector } from '@relevo/testing/connector-process'
import { DEMO_CONNECTOR_KEY } from '@relevo/testing/demo-seed'
import { waitFor } from '@relevo/testing/wait-for'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBackend, type TestBackend } from './testing/stand-in.ts'

let backend: TestBackend
let dataDir = ''
const children: ChildProcess[] = []
beforeAll(async () => {
  backend = await startBackend()
  dataDir = await mkdtemp(join(tmpdir(), 'relevo-main-'))
})
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  await backend.close()
  await rm(dataDir, { recursive: true, force: true })
})

async function startProcess(): Promise<{ child: ChildProcess; url: string }> {
  const started = await spawnConnector({
    supabaseUrl: backend.url,
    auth: { connectorKey: DEMO_CONNECTOR_KEY, anonKey: backend.keys.anonKey },
    dataDir,
  })
  children.push(started.child)
  return started
}

const health = async (url: string) => (await (await fetch(`${url}/health`)).json()) as { bufferDepth: number }
const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )

describe('the connector process', () => {
  it('keeps buffered messages across kill -9 and stores them after restart; SIGTERM exits 0', async () => {
    await backend.down()
    const first = await startProcess()
    for (const body of ['antes', 'del', 'crash']) {
      const res = await fetch(`${first.url}/simulator/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '5215520000001', body }),
      })
      expect(res.status).toBe(202)
    }
    await waitFor(async () => (await health(first.url)).bufferDepth === 3, 'three buffered messages')
    const killed = exited(first.child)
    first.child.kill('SIGKILL')
    expect((await killed).signal).toBe('SIGKILL')

    await backend.up()
    const second = await startProcess()
    await waitFor(async () => (await health(second.url)).bufferDepth === 0, 'replay after restart')
    const { rows } = await backend.db.query<{ body: string }>(
      `select m.body from public.messages m join public.conversations c on c.id = m.conversation_id
       where c.wa_chat_id = '5215520000001@c.us' order by m.created_at, m.id`,
    )
    expect(rows.map((r) => r.body)).toEqual(['antes', 'del', 'crash'])

    const stopped = exited(second.child)
    second.child.kill('SIGTERM')
    expect((await stopped).code).toBe(0)
  })
})
