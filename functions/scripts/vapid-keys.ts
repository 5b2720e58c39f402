// Prints a new VAPID key pair for a deployment's Web Push (ADR 097), as the Worker's variables.
// Set both with `wrangler secret put` (the public key is not secret, but it must match the private one).
import { generateVapidKeys } from '../src/push/web-push.ts'

const keys = await generateVapidKeys()
process.stdout.write(`VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}\n`)
