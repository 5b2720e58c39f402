/**
 * @module
 * Options with their defaults filled in. An option given as `undefined` takes its default too
 * (a spread would keep the `undefined`): callers pass optional settings straight through.
 */

/** `T` with the options `K` always set. */
export type WithDefaults<T, K extends keyof T> = T & { [P in K]-?: Exclude<T[P], undefined> }

export function withDefaults<T extends object, K extends keyof T>(
  options: T,
  defaults: { [P in K]-?: Exclude<T[P], undefined> },
): WithDefaults<T, K> {
  const filled = { ...options } as Record<PropertyKey, unknown>
  for (const [key, value] of Object.entries(defaults)) filled[key] ??= value
  return filled as WithDefaults<T, K>
}
