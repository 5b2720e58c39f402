import { beforeAll, describe, expect, it } from 'vitest'
import { expectRelevoError } from './support/errors.ts'
import { createTenant, type TenantFixture } from './support/fixtures.ts'
import { asUser } from './support/roles.ts'
import { backends, suiteDatabase } from './support/test-database.ts'
import { expectUnchanged } from './support/unchanged.ts'

// ai_http_url is called by the Worker: a literal that names a loopback, private, link-local or
// metadata address is refused when an admin saves it (ADR 073), unless the deployment allows it.
const REFUSED = [
  'http://127.0.0.1:8080/ai',
  'http://localhost:3000/ai',
  'http://[::1]/ai',
  'http://[::ffff:127.0.0.1]/ai',
  'http://2130706433/ai',
  'http://0x7f.1/ai',
  'http://169.254.169.254/latest/meta-data',
  'http://metadata.google.internal/computeMetadata/v1',
  'http://10.0.0.5/ai',
  'http://172.16.4.4/ai',
  'http://192.168.1.10/ai',
  'http://100.64.0.1/ai',
  'http://[fd00::1]/ai',
  'http://[fe80::1]/ai',
  'http://coordinator/ai',
  'https://user:pass@coord.example/ai',
]

describe.each(backends)('outbound URLs on $kind', (backend) => {
  const db = suiteDatabase(backend)
  let t: TenantFixture
  beforeAll(async () => {
    t = await createTenant(db)
  })

  const save = (url: string, allowPrivate = false) =>
    asUser(db, t.adminId, async (tx) => {
      if (allowPrivate) await tx.query(`select set_config('relevo.allow_private_urls', 'on', true)`)
      return tx.query('update public.tenants set ai_http_url = $1 where id = $2', [url, t.tenantId])
    })

  it.each(REFUSED)('refuses %s with 400 private_url, changing nothing', async (url) => {
    await expectUnchanged(db, async () => {
      await expectRelevoError(save(url), 400, 'private_url')
    })
  })

  it('accepts public names and addresses, and private ones only where the deployment allows them', async () => {
    for (const url of ['https://coord.example/ai', 'https://8.8.8.8/ai', 'https://[2606:4700::1111]/ai']) {
      expect((await save(url)).affectedRows).toBe(1)
    }
    expect((await save('http://127.0.0.1:8080/ai', true)).affectedRows).toBe(1)
  })
})
