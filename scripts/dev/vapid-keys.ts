import { readFile, writeFile } from 'node:fs/promises'
import { generateVapidKeys } from '../../functions/src/push/web-push.ts'

export interface DevVapidKeys {
  publicKey: string
  privateKey: string
}

/**
 * The local deployment's VAPID pair for Web Push (ADR 097): made once and kept in the state folder,
 * so browsers that subscribed stay subscribed across restarts (a new pair would void them).
 * VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY from the environment win.
 */
export async function devVapidKeys(file: string): Promise<DevVapidKeys> {
  const { VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY } = process.env
  if (VAPID_PUBLIC_KEY && VAPID_PRIVATE_KEY)
    return { publicKey: VAPID_PUBLIC_KEY, privateKey: VAPID_PRIVATE_KEY }
  const saved = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as DevVapidKeys,
    () => null,
  )
  if (saved?.publicKey && saved.privateKey) return saved
  const keys = await generateVapidKeys()
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 })
  return keys
}
