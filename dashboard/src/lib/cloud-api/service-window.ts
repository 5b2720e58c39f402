/**
 * The 24-hour customer service window of a WhatsApp Cloud API chat (ADR 121): free text goes out
 * only until 24 h after the customer's last message; after that only an approved template. The
 * database enforces it; the desk shows it. WhatsApp Web chats have no window.
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000

export type ServiceWindow = { kind: 'none' } | { kind: 'open'; msLeft: number } | { kind: 'closed' }

export function serviceWindow(
  channelKind: string | undefined,
  lastCustomerMessageAt: string | null | undefined,
  now: number,
): ServiceWindow {
  if (channelKind !== 'cloud_api') return { kind: 'none' }
  if (!lastCustomerMessageAt) return { kind: 'closed' }
  const msLeft = new Date(lastCustomerMessageAt).getTime() + WINDOW_MS - now
  return msLeft > 0 ? { kind: 'open', msLeft } : { kind: 'closed' }
}

/** "5 h 12 min" / "12 min": hours and minutes left, rounded down (never "0 min" while open). */
export function formatLeft(msLeft: number): { hours: number; minutes: number } {
  const minutes = Math.max(1, Math.floor(msLeft / 60_000))
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 }
}

/** A template's body with {{n}} replaced by the agent's parameters: what the customer will read. */
export function fillTemplate(body: string, parameters: string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => parameters[Number(n) - 1] || whole)
}
