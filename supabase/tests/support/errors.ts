import { expect } from 'vitest'

/** What PGlite's and pg's errors both carry: SQLSTATE, DETAIL and HINT. */
interface PgErrorFields {
  code?: string
  detail?: string
  hint?: string
  message: string
}

/** Asserts a Relevo function error: PostgREST status through SQLSTATE PTxxx, stable DETAIL code. */
export async function expectRelevoError(
  promise: Promise<unknown>,
  status: number,
  detail: string,
): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught as PgErrorFields,
  )
  expect(error, `expected PT${status} ${detail}`).not.toBeNull()
  expect({ code: error?.code, detail: error?.detail }).toEqual({ code: `PT${status}`, detail })
}

/** Asserts a plain Postgres refusal: 42501 insufficient_privilege (grants or RLS WITH CHECK). */
export async function expectDenied(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught as PgErrorFields,
  )
  expect(error, 'expected permission denied').not.toBeNull()
  expect(error?.code).toBe('42501')
}
