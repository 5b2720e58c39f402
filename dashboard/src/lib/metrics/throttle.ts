/**
 * Runs `fn` at most once per `ms`: the first call at once, calls during the wait folded into one
 * trailing call. Metrics reload on feed events, which arrive in bursts (a message updates the
 * message row and its conversation), so each burst costs one query, not ten.
 */
export function throttle(fn: () => void, ms: number): { call(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending = false
  const run = () => {
    timer = setTimeout(() => {
      timer = undefined
      if (pending) {
        pending = false
        fn()
        run()
      }
    }, ms)
  }
  return {
    call() {
      if (timer) {
        pending = true
        return
      }
      fn()
      run()
    },
    cancel() {
      clearTimeout(timer)
      timer = undefined
      pending = false
    },
  }
}
