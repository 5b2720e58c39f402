import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import type { Logger } from 'pino'
import type { Database } from '../src/db/index.ts'
import { AuthApiError, renderAuthError } from './auth/errors.ts'
import type { TokenRateLimit } from './auth/rate-limit.ts'
import { authRoutes } from './auth/routes.ts'
import type { StandInEnv } from './context.ts'
import { apiKeyGate, CORS_OPTIONS } from './gateway.ts'
import { type ApiKeys, claimsFor, InvalidTokenError } from './keys.ts'
import { PostgrestError } from './rest/errors.ts'
import type { TxEnd } from './rest/prefer.ts'
import { restRoutes } from './rest/routes.ts'
import type { SchemaCache } from './rest/schema-cache.ts'
import { StorageError } from './storage/errors.ts'
import type { FileStore } from './storage/files.ts'
import { isKeylessStorageRequest, storageRoutes } from './storage/routes.ts'

export interface ServerOptions {
  db: Database
  keys: ApiKeys
  logger: Logger
  /** The URL clients use, for the `iss` claim of access tokens. */
  publicUrl: () => string
  accessTokenTtlSeconds: number
  maxBodyBytes: number
  /** Handles WebSocket upgrades on /realtime/v1/websocket. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  cache: SchemaCache
  /** PostgREST's db-max-rows and db-tx-end (see rest/routes.ts). */
  rest: { maxRows: number; txEnd: TxEnd }
  /** Sign-ins and refreshes per IP on /auth/v1/token (see auth/rate-limit.ts). */
  tokenRateLimit: TokenRateLimit
  /** Where /storage/v1 keeps object bytes, and the largest object it takes. */
  storage: { files: FileStore; maxFileSize: number }
  /** Sign-up requires email confirmation (see auth/confirm.ts). */
  confirmEmail: boolean
}

/** The Hono app: gateway checks, then /rest/v1, /auth/v1 and /storage/v1, with one error handler. */
export function createApp(options: ServerOptions): Hono<StandInEnv> {
  const app = new Hono<StandInEnv>()
  app.use('*', cors(CORS_OPTIONS))
  app.use('*', async function requestLog(c, next) {
    const started = performance.now()
    c.set('logger', options.logger)
    await next()
    // Debug only; the query string (filter values are data) is left out.
    options.logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    )
  })
  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: (c) => c.json({ message: 'Request size limit exceeded' }, 413),
  })
  // Storage streams uploads to disk under its own (larger) per-object limit.
  app.use('*', (c, next) => (c.req.path.startsWith('/storage/v1/') ? next() : limitBody(c, next)))
  const gate = apiKeyGate(options.keys)
  app.use('/rest/v1/*', gate)
  // Kong leaves /auth/v1/verify open (the link in a confirmation mail carries no key).
  app.use('/auth/v1/*', (c, next) => (c.req.path === '/auth/v1/verify' ? next() : gate(c, next)))
  app.use('/storage/v1/*', (c, next) =>
    isKeylessStorageRequest(c.req.method, c.req.path) ? next() : gate(c, next),
  )
  app.use('/rest/v1/*', async (c, next) => {
    c.set('claims', await claimsFor(c.get('bearer'), options.keys))
    await next()
  })
  app.route(
    '/rest/v1',
    restRoutes({
      db: options.db,
      cache: options.cache,
      logger: options.logger,
      schemas: ['public'],
      ...options.rest,
    }),
  )
  app.route(
    '/auth/v1',
    authRoutes({
      db: options.db,
      keys: options.keys,
      issuer: () => `${options.publicUrl()}/auth/v1`,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds,
      tokenRateLimit: options.tokenRateLimit,
      confirmEmail: options.confirmEmail,
    }),
  )
  app.route(
    '/storage/v1',
    storageRoutes({
      db: options.db,
      keys: options.keys,
      logger: options.logger,
      files: options.storage.files,
      maxFileSize: options.storage.maxFileSize,
    }),
  )
  app.notFound((c) => c.json({ message: 'no Route matched with those values' }, 404))
  app.onError((error, c) => {
    if (error instanceof PostgrestError) {
      // PostgREST's error responses carry the charset, as its JSON bodies do.
      const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' }
      if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer'
      return c.json(error.body, error.status as 400, headers)
    }
    if (error instanceof InvalidTokenError) {
      const body = { code: error.code, details: null, hint: null, message: error.message }
      return c.json(body, 401, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message}"`,
      })
    }
    if (error instanceof AuthApiError) return renderAuthError(c, error)
    if (error instanceof StorageError) {
      if (error.httpStatus === 500)
        options.logger.error({ err: error, path: c.req.path }, 'storage request failed')
      return c.json(error.body(), error.httpStatus)
    }
    options.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed')
    return c.json({ message: 'Internal Server Error' }, 500)
  })
  return app
}

/** A Node HTTP server for the app that also routes realtime WebSocket upgrades. */
export function createHttpServer(options: ServerOptions): Server {
  const app = createApp(options)
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (path === '/realtime/v1/websocket' && options.upgrade) {
      options.upgrade(req, socket, head)
      return
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
  })
  return server
}
