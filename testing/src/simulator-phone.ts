/**
 * The customer's and the owner's phones, through the connector's WhatsApp simulator
 * (http://127.0.0.1:3100/simulator/*), as a person playing them would use it.
 */
const SIMULATOR = 'http://127.0.0.1:3100/simulator'

export interface ReceivedMessage {
  chatId: string
  body: string
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${SIMULATOR}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}: ${await response.text()}`)
}

/** A customer writes to the business. */
export function customerWrites(from: string, name: string, body: string): Promise<void> {
  return post('/messages', { from, name, body })
}

/** The business owner types in the chat on the phone itself (WhatsApp fromMe). */
export function ownerTypesOnPhone(to: string, body: string): Promise<void> {
  return post('/phone-messages', { to, body })
}

/** What the customer's phone has received in the chat with `phone`, oldest first. */
export async function received(phone: string): Promise<string[]> {
  const response = await fetch(`${SIMULATOR}/outbox`)
  const { messages } = (await response.json()) as { messages: ReceivedMessage[] }
  return messages.filter((message) => message.chatId.startsWith(phone)).map((message) => message.body)
}

/** Waits until the customer's phone has received `count` messages; returns them all. */
export async function waitForReceived(phone: string, count: number, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const bodies = await received(phone)
    if (bodies.length >= count) return bodies
    if (Date.now() > deadline) {
      throw new Error(
        `the phone ${phone} received ${bodies.length} of ${count} messages: ${JSON.stringify(bodies)}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
