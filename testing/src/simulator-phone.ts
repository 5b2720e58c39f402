/**
 * @module
 * The customer's and the owner's phones, through the connector's WhatsApp simulator
 * (`<connector>/simulator/*`), as a person playing them would use it.
 */

/** A file the phone received: its description, never its bytes. */
export interface ReceivedFile {
  mimetype: string
  filename?: string
  size: number
  sha256: string
  voice?: true
}

export interface ReceivedMessage {
  chatId: string
  body: string
  ack: string
  media?: ReceivedFile
}

/** A file a customer sends (`voice`: as a voice note; `sticker`: as a sticker). */
export interface SentFile {
  mimetype: string
  data: Buffer
  filename?: string
  voice?: boolean
  sticker?: boolean
}

export interface SimulatorPhone {
  /** A customer writes to the business. */
  customerWrites(from: string, name: string, body: string): Promise<void>
  /** A customer sends a file (a photo, a voice note, a PDF…) with an optional caption; returns its WhatsApp id. */
  customerSendsFile(from: string, name: string, file: SentFile, caption?: string): Promise<string>
  /** The business owner types in the chat on the phone itself (WhatsApp fromMe). */
  ownerTypesOnPhone(to: string, body: string): Promise<void>
  /** Everything customers' phones received, oldest first. */
  outbox(): Promise<ReceivedMessage[]>
  /** What the customer's phone received in the chat with `phone`, oldest first. */
  received(phone: string): Promise<string[]>
  /** Waits until the customer's phone has received `count` messages; returns them all. */
  waitForReceived(phone: string, count: number, timeoutMs?: number): Promise<string[]>
}

/** `connectorUrl`: the connector's HTTP port (http://127.0.0.1:3100 under `./relevo dev`). */
export function simulatorPhone(connectorUrl: string): SimulatorPhone {
  const simulator = `${connectorUrl}/simulator`
  async function post(path: string, body: unknown): Promise<void> {
    await postJson(path, body)
  }
  async function postJson(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${simulator}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok)
      throw new Error(`simulator ${path} answered ${response.status}: ${await response.text()}`)
    return response.json()
  }
  async function outbox(): Promise<ReceivedMessage[]> {
    const response = await fetch(`${simulator}/outbox`)
    return ((await response.json()) as { messages: ReceivedMessage[] }).messages
  }
  async function received(phone: string): Promise<string[]> {
    return (await outbox())
      .filter((message) => message.chatId.startsWith(phone))
      .map((message) => message.body)
  }
  return {
    customerWrites: (from, name, body) => post('/messages', { from, name, body }),
    async customerSendsFile(from, name, file, caption) {
      const media = { ...file, data: file.data.toString('base64') }
      const answer = await postJson('/messages', { from, name, ...(caption ? { body: caption } : {}), media })
      return (answer as { waMessageId: string }).waMessageId
    },
    ownerTypesOnPhone: (to, body) => post('/phone-messages', { to, body }),
    outbox,
    received,
    async waitForReceived(phone, count, timeoutMs = 60_000) {
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
    },
  }
}
