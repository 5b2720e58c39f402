import pg from 'pg'
import type { Database, Queryable, QueryResult } from './types.ts'

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
  return {
    kind: 'postgres',
    ...queryable(pool),
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
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
    async listen(channel, onPayload) {
      const client = await pool.connect()
      const handler = (message: pg.Notification) => {
        if (message.channel === channel) onPayload(message.payload ?? '')
      }
      client.on('notification', handler)
      await client.query(`listen ${pg.escapeIdentifier(channel)}`)
      return async () => {
        client.off('notification', handler)
        await client.query(`unlisten ${pg.escapeIdentifier(channel)}`).catch(() => {})
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
