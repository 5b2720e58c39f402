import { auth } from '../app-state.svelte.ts'
import { DeskError } from '../desk-error.ts'

/**
 * One screen action's state: busy while it runs, the error code (translated by tError) when it
 * fails. An expired session goes back to sign-in, as in the desk.
 */
export class Action {
  busy = $state(false)
  error = $state<string | null>(null)

  async run<T>(call: () => Promise<T>): Promise<T | undefined> {
    this.busy = true
    this.error = null
    try {
      return await call()
    } catch (error) {
      if (error instanceof DeskError && error.authExpired) await auth.sessionExpired()
      this.error = error instanceof DeskError ? error.code : 'generic'
      return undefined
    } finally {
      this.busy = false
    }
  }
}
