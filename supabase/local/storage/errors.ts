/**
 * Supabase Storage's error shape (supabase/storage `src/internal/errors/codes.ts`): the body is
 * `{statusCode, code, error, message}` with the *semantic* status as a string, while the HTTP
 * status is 400 for every error except a 500. storage-js reads `message`, `statusCode` and `code`
 * from it, so both the body and the 400 are part of the contract.
 */
export interface StorageErrorBody {
  statusCode: string
  code: string
  error: string
  message: string
}

export class StorageError extends Error {
  constructor(
    readonly semanticStatus: number,
    readonly code: string,
    message: string,
    readonly error: string = code,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }

  get httpStatus(): 400 | 500 {
    return this.semanticStatus === 500 ? 500 : 400
  }

  body(): StorageErrorBody {
    return {
      statusCode: String(this.semanticStatus),
      code: this.code,
      error: this.error,
      message: this.message,
    }
  }
}

export const storageErrors = {
  noSuchKey: () => new StorageError(404, 'NoSuchKey', 'Object not found', 'not_found'),
  noSuchBucket: () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found'),
  accessDenied: (message: string, cause?: unknown) =>
    new StorageError(403, 'AccessDenied', message, 'Unauthorized', { cause }),
  alreadyExists: (code: 'ResourceAlreadyExists' | 'BucketAlreadyExists') =>
    new StorageError(409, code, 'The resource already exists', 'Duplicate'),
  entityTooLarge: () =>
    new StorageError(
      413,
      'EntityTooLarge',
      'The object exceeded the maximum allowed size',
      'Payload too large',
    ),
  invalidMimeType: (mimeType: string) =>
    new StorageError(415, 'InvalidMimeType', `mime type ${mimeType} is not supported`, 'invalid_mime_type'),
  invalidJwt: (message: string) => new StorageError(400, 'InvalidJWT', message),
  invalidSignature: (message = 'Invalid signature') => new StorageError(400, 'InvalidSignature', message),
  invalidKey: (key: string) => new StorageError(400, 'InvalidKey', `Invalid key: ${key}`),
  invalidRequest: (message: string) => new StorageError(400, 'InvalidRequest', message),
  invalidRange: () => new StorageError(400, 'InvalidRange', 'invalid range provided', 'invalid_range'),
  /** A Storage route the stand-in does not serve: refused in Storage's shape, never answered differently. */
  notSupported: (route: string) =>
    new StorageError(
      400,
      'NotSupported',
      `${route} is not supported by the local Supabase stand-in (see supabase/local/README.md, Storage)`,
    ),
}

/** What Supabase Storage makes of a Postgres error raised while it runs a statement as the caller. */
export function fromDatabaseError(error: unknown): unknown {
  const code = (error as { code?: string }).code
  if (code === '42501') return storageErrors.accessDenied('new row violates row-level security policy', error)
  if (code === '23505') return storageErrors.alreadyExists('ResourceAlreadyExists')
  if (code === '23503') return storageErrors.noSuchBucket()
  return error
}
