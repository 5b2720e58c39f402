// Manual look: node e2e/smoke.ts starts the rig, signs in and takes a screenshot to /tmp.
import { ADMIN, startRig } from './harness.ts'

const rig = await startRig()
try {
  const page = await rig.newPage('en')
  page.on('console', (m) => process.stdout.write(`console ${m.type()}: ${m.text()}\n`))
  page.on('pageerror', (e) => process.stdout.write(`pageerror: ${e.message}\n`))
  const conv = await rig.customerWrites('5215512345678', 'Lucía Pérez', 'Hola, ¿tienen la camiseta en talla M?')
  await rig.signIn(page, ADMIN)
  await page.goto(`${rig.site.url}/inbox/${conv}`)
  await page.waitForTimeout(1500)
  await page.screenshot({ path: '/tmp/smoke.png' })
  process.stdout.write(`${await page.locator('body').innerText()}\n`)
} finally {
  await rig.close()
}
