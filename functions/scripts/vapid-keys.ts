// Prints a new VAPID key pair for a deployment's Web Push (ADR 097), as the Worker's variables.
// Set both with `wrangler secret put` (the public key is not secret, but it must match the private one).
import { generateVapidKeys } from '../src/push/web-push.ts'

const keys = await generateVapidKeys()
console.log(`VAPID_PUBLIC_KEY=${keys.publicKey}`)
console.log(`VAPID_PRIVATE_KEY=${keys.privateKey}`)
