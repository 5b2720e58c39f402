/** The two backends Relevo runs on locally: embedded PGlite (default) or a real Postgres. */
export type DatabaseKind = 'pglite' | 'postgres'

export interface QueryResult<Row> {
  rows: Row[]
  /** Rows changed by INSERT/UPDATE/DELETE, when the backend reports it. */
  affectedRows: number
}

/** A connection-like handle; inside `transaction` it is bound to that transaction. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>
  /** Runs a script of several statements without parameters (migrations, seed). */
  exec(script: string): Promise<void>
}

/** Settings made transaction-local (`set_config(name, value, true)`), e.g. the request's role. */
export type LocalSettings = Readonly<Record<string, string>>

export interface Database extends Queryable {
  readonly kind: DatabaseKind
  /**
   * Runs `fn` in BEGIN … COMMIT; rolls back and rethrows when it throws. `settings` are in
   * force from the first statement of `fn` (on Postgres, sent with BEGIN in one round trip).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, settings?: LocalSettings): Promise<T>
  /** LISTEN on a channel; the returned function stops listening. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}
