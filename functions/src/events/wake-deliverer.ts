/**
 * @module
 * How the webhook route and the sweeper wake an endpoint's deliverer: through the
 * `ENDPOINT_DELIVERER` Durable Object binding in the Worker, in-process in Node tests.
 */
import type { Bindings } from '../config/config.ts'
import type { WakeEndpoint } from '../pipeline/store.ts'
import { ConfigError } from '../shared/errors.ts'

export function durableWakeDeliverer(env: Bindings): WakeEndpoint {
  return async (endpointId) => {
    const namespace = env.ENDPOINT_DELIVERER
    if (!namespace) {
      throw new ConfigError(
        'The ENDPOINT_DELIVERER Durable Object binding is missing',
        'Declare it in wrangler.toml [[durable_objects.bindings]] with its [[migrations]] entry',
      )
    }
    await namespace.get(namespace.idFromName(endpointId)).notify(endpointId)
  }
}
