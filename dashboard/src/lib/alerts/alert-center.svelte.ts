import { getContext, setContext } from 'svelte'
import { goto } from '$app/navigation'
import type { DeskListener } from '../desk.svelte.ts'
import { i18n, t } from '../i18n/i18n.svelte.ts'
import { type Alert, alertFor } from './alert-for.ts'

const STORAGE_KEY = 'relevo.alerts'

/**
 * Browser notification + a short generated tone when a chat starts needing a person, a number
 * drops, or (admins) a webhook endpoint is paused by failures. Off until the agent turns it on: browsers grant notifications and audio only after a click.
 */
export class AlertCenter {
  enabled = $state(false)
  /** Notifications refused by the browser: the tone still plays. */
  blocked = $state(false)
  private audio: AudioContext | undefined

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined) {
    this.enabled = storage?.getItem(STORAGE_KEY) === 'on'
    this.blocked = typeof Notification !== 'undefined' && Notification.permission === 'denied'
  }

  readonly listener: DeskListener = {
    onChange: (change) => {
      const alert = this.enabled ? alertFor(change) : null
      if (alert) this.raise(alert)
    },
  }

  async enable(): Promise<void> {
    // Created inside the click so the browser lets it play later.
    this.audio ??= new AudioContext()
    if (typeof Notification !== 'undefined' && Notification.permission === 'default')
      await Notification.requestPermission()
    this.blocked = typeof Notification === 'undefined' || Notification.permission !== 'granted'
    this.enabled = true
    this.storage?.setItem(STORAGE_KEY, 'on')
  }

  disable(): void {
    this.enabled = false
    this.storage?.setItem(STORAGE_KEY, 'off')
  }

  private raise(alert: Alert): void {
    const { body, href } = describe(alert)
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      const note = new Notification('Relevo', { body, tag: href, lang: i18n.locale, icon: '/icon-192.png' })
      note.onclick = () => {
        globalThis.focus()
        void goto(href)
      }
    }
    this.beep()
  }

  /** Two short rising tones (Web Audio), so no sound file ships with the app. */
  private beep(): void {
    this.audio ??= new AudioContext()
    const ctx = this.audio
    const start = ctx.currentTime
    for (const [offset, freq] of [
      [0, 660],
      [0.18, 880],
    ] as const) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.0001, start + offset)
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16)
      osc.connect(gain).connect(ctx.destination)
      osc.start(start + offset)
      osc.stop(start + offset + 0.17)
    }
  }
}

/** What the notification says and where its click leads. */
function describe(alert: Alert): { body: string; href: string } {
  switch (alert.kind) {
    case 'attention':
      return { body: t('alerts.attention', { name: alert.name }), href: `/inbox/${alert.conversationId}` }
    case 'channel':
      return {
        body: t('alerts.channelDown', { status: t(`channel.status.${alert.status}`), name: alert.name }),
        href: '/connection',
      }
    case 'endpoint':
      return { body: t('alerts.endpointPaused', { url: alert.url }), href: '/integrations' }
  }
}

const KEY = Symbol('alerts')
export const setAlerts = (alerts: AlertCenter): AlertCenter => setContext(KEY, alerts)
export const getAlerts = (): AlertCenter => getContext<AlertCenter>(KEY)
