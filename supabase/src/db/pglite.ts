import { PGlite } from '@electric-sql/pglite'
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto'
import type { Database, Queryable, QueryResult } from './types.ts'

type PGliteLike = Pick<PGlite, 'query' | 'exec'>

const BOOL_OID = 16

/**
 * Boolean parameters go to Postgres as text, as node-postgres sends them: PGlite's own serializer
 * throws a plain JS error on a string like 'x', where Postgres answers 22P02 (a 400 through the API).
 */
const serializers = {
  [BOOL_OID]: (value: unknown) => (typeof value === 'boolean' ? (value ? 't' : 'f') : String(value)),
}

function queryable(pg: PGliteLike): Queryable {
  return {
    async query<Row>(text: string, params: unknown[] = []): Promise<QueryResult<Row>> {
      const result = await pg.query<Row>(text, params, { serializers })
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0 }
    },
    async exec(script: string) {
      await pg.exec(script)
    },
  }
}

/**
 * Opens an embedded Postgres (WASM). `dataDir` undefined keeps it in memory (tests);
 * a folder keeps the data between runs (`pnpm dev`).
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { pgcrypto } })
  return {
    kind: 'pglite',
    ...queryable(pg),
    transaction: (fn, settings = {}) =>
      pg.transaction(async (tx) => {
        const entries = Object.entries(settings)
        if (entries.length > 0) {
          await tx.query(
            'select set_config(name, value, true) from unnest($1::text[], $2::text[]) as s(name, value)',
            [entries.map(([name]) => name), entries.map(([, value]) => value)],
          )
        }
        return fn(queryable(tx))
      }),
    async listen(channel, onPayload) {
      const unlisten = await pg.listen(channel, onPayload)
      return () => unlisten()
    },
    close: () => pg.close(),
  }
}
