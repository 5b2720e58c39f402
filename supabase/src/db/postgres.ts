import pg from 'pg'
import type { Database, LocalSettings, Queryable, QueryResult } from './types.ts'

// Keep Postgres types as JSON-friendly as PGlite's: int8 and numeric as numbers
// would lose precision, so they stay strings in both (PGlite does the same for int8).
function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(text: string, params: unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(text, params)
      return { rows: result.rows as Row[], affectedRows: result.rowCount ?? 0 }
    },
    async exec(script: string) {
      await client.query(script)
    },
  }
}

/** Connects to a real Postgres (`DATABASE_URL`), e.g. the Debian PostgreSQL 15 used in CI. */
export async function openPostgres(url: string, maxConnections = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections })
  // Fail fast with a clear cause instead of on the first query.
  await pool.query('select 1').catch((cause: unknown) => {
    throw new Error(`Cannot connect to DATABASE_URL: check that Postgres runs and the URL is right`, {
      cause,
    })
  })
  const listener = new SharedListener(pool)
  return {
    kind: 'postgres',
    ...queryable(pool),
    async transaction(fn, settings = {}) {
      const client = await pool.connect()
      try {
        await client.query(beginWith(settings))
        const result = await fn(queryable(client))
        await client.query('commit')
        return result
      } catch (error) {
        await client.query('rollback').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    listen: (channel, onPayload) => listener.listen(channel, onPayload),
    close: async () => {
      await listener.close()
      await pool.end()
    },
  }
}

/**
 * BEGIN and the transaction-local settings as one simple-protocol script: one round trip
 * instead of two on every request the stand-in serves. Values are quoted by the driver.
 */
function beginWith(settings: LocalSettings): string {
  const entries = Object.entries(settings)
  if (entries.length === 0) return 'begin'
  const calls = entries.map(
    ([name, value]) => `set_config(${pg.escapeLiteral(name)}, ${pg.escapeLiteral(value)}, true)`,
  )
  return `begin; select ${calls.join(', ')}`
}

/**
 * Every LISTEN on one connection. Postgres wakes each listening backend of the database on
 * every commit that notifies, whatever its channels; one listener instead of one per
 * channel saves those wake-ups on each write.
 */
class SharedListener {
  private client: Promise<pg.PoolClient> | null = null
  private readonly handlers = new Map<string, Set<(payload: string) => void>>()

  constructor(private readonly pool: pg.Pool) {}

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const client = await this.connect()
    let handlers = this.handlers.get(channel)
    if (!handlers) {
      handlers = new Set()
      this.handlers.set(channel, handlers)
      await client.query(`listen ${pg.escapeIdentifier(channel)}`)
    }
    handlers.add(onPayload)
    return async () => {
      handlers.delete(onPayload)
      if (handlers.size > 0 || this.handlers.get(channel) !== handlers) return
      this.handlers.delete(channel)
      await client.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {})
    }
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => null)
    this.client = null
    this.handlers.clear()
    client?.release()
  }

  private connect(): Promise<pg.PoolClient> {
    this.client ??= this.pool.connect().then((client) => {
      client.on('notification', (message) => {
        for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '')
      })
      return client
    })
    return this.client
  }
}
