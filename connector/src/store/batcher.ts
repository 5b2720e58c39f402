/**
 * @module
 * Coalesces single calls into batched requests. Calls made in the same turn of the event
 * loop leave together, and while `maxInFlight` requests are out new calls wait for the next
 * one (at most `maxBatch` each). The send is deferred to the end of the turn (setImmediate),
 * not made at once: when a batch answers, its callers' follow-up calls come in the microtasks
 * right after, and an eager flush would send the first of them alone. At low traffic a call
 * still goes alone within the same turn; under a burst one round trip carries many calls. Order between calls is the caller's business: a batch keeps the order
 * in which calls were made, and two batches in flight may finish in either order.
 */

/** Sends one batch; answers one result per input, in order, an `Error` for an input that failed alone. */
export type SendBatch<I, R> = (inputs: I[]) => Promise<Array<R | Error>>

export interface BatcherLimits {
  maxBatch: number
  maxInFlight: number
}

interface Waiting<I, R> {
  input: I
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

export class Batcher<I, R> {
  private readonly waiting: Array<Waiting<I, R>> = []
  private inFlight = 0
  private scheduled = false

  constructor(
    private readonly send: SendBatch<I, R>,
    private readonly limits: BatcherLimits,
  ) {}

  /** Resolves with this input's result; rejects with its own error or the whole batch's. */
  add(input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.flush()
    })
  }

  private flush(): void {
    while (this.inFlight < this.limits.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.limits.maxBatch)
      this.inFlight += 1
      this.sendOne(batch).finally(() => {
        this.inFlight -= 1
        this.schedule()
      })
    }
  }

  private async sendOne(batch: Array<Waiting<I, R>>): Promise<void> {
    try {
      const results = await this.send(batch.map((w) => w.input))
      if (results.length !== batch.length) {
        throw new Error(`batch answered ${results.length} results for ${batch.length} inputs`)
      }
      batch.forEach((w, i) => {
        const result = results[i] as R | Error
        if (result instanceof Error) w.reject(result)
        else w.resolve(result)
      })
    } catch (error) {
      for (const w of batch) w.reject(error)
    }
  }
}
