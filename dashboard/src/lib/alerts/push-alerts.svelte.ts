/**
 * @module
 * Alerts that reach a closed desk (ADR 097): this browser's Web Push subscription, made with the
 * deployment's VAPID public key (GET /api/push/key on the functions) and stored with
 * `save_push_subscription`; the agent's switch is `agents.push_alerts` (`set_push_alerts`). The
 * service worker (static/sw.js) shows each push; a click on one asks this page to open the chat.
 */
import { goto } from '$app/navigation'
import { DeskError } from '../desk-error.ts'
import { functionsUrl } from '../functions-api.ts'
import { result } from '../query-result.ts'
import type { Db } from '../types.ts'

export type PushState = 'unsupported' | 'off' | 'on'

export class PushAlerts {
  state = $state<PushState>('off')
  busy = $state(false)
  error = $state<string | null>(null)

  constructor(
    private readonly db: Db,
    private readonly userId: string,
  ) {}

  /** Registers the service worker, follows its clicks, and reads whether this browser is on. */
  async start(): Promise<() => void> {
    if (!('serviceWorker' in navigator) || typeof PushManager === 'undefined') {
      this.state = 'unsupported'
      return () => {}
    }
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; url?: string } | null
      if (data?.type === 'relevo.open' && data.url?.startsWith('/')) void goto(data.url)
    }
    navigator.serviceWorker.addEventListener('message', onMessage)
    navigator.serviceWorker.startMessages()
    const registration = await navigator.serviceWorker.register('/sw.js')
    const [subscription, agent] = await Promise.all([
      registration.pushManager.getSubscription(),
      result(this.db.from('agents').select('push_alerts').eq('user_id', this.userId).single()),
    ])
    this.state = subscription && agent.push_alerts ? 'on' : 'off'
    return () => navigator.serviceWorker.removeEventListener('message', onMessage)
  }

  async enable(): Promise<void> {
    await this.step(async () => {
      if ((await Notification.requestPermission()) !== 'granted') {
        throw new DeskError('notifications_blocked', 'The browser blocks notifications for this site')
      }
      const registration = await navigator.serviceWorker.ready
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: await this.serverKey(),
        }))
      const json = subscription.toJSON()
      await result(
        this.db.rpc('save_push_subscription', {
          p_endpoint: json.endpoint ?? '',
          p_p256dh: json.keys?.p256dh ?? '',
          p_auth: json.keys?.auth ?? '',
          p_user_agent: navigator.userAgent,
        }),
      )
      this.state = 'on'
    })
  }

  /** Off for all of the agent's browsers; this browser keeps its subscription for next time. */
  async disable(): Promise<void> {
    await this.step(async () => {
      await result(this.db.rpc('set_push_alerts', { p_on: false }))
      this.state = 'off'
    })
  }

  private async step(work: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = null
    try {
      await work()
    } catch (error) {
      this.error = error instanceof DeskError ? error.code : 'push_failed'
    } finally {
      this.busy = false
    }
  }

  private async serverKey(): Promise<string> {
    const response = await fetch(`${functionsUrl()}/api/push/key`).catch((cause: unknown) => {
      throw new DeskError('functions_unreachable', 'The functions app is unreachable', { cause })
    })
    const body = (await response.json().catch(() => ({}))) as { publicKey?: string; code?: string }
    if (!response.ok || !body.publicKey) {
      throw new DeskError(body.code ?? 'push_not_configured', 'No VAPID public key from the functions')
    }
    return body.publicKey
  }
}
