/**
 * @module
 * The one product image an AI reply may carry (ADR 082): fetched from the URL a product tool
 * returned, checked and stored under the tenant's `ai/` folder (pipeline/product-image.ts),
 * and described for `enqueue_ai_reply`, which sends it through the outbox.
 */

import type { ReplyMedia } from './media.ts'
import { type ImageDeps, storeProductImage } from './product-image.ts'
import { REPLY_IMAGE_BUDGET_MS, withTimeout } from './run-budget.ts'

export async function storeReplyImage(url: string, tenantId: string, deps: ImageDeps): Promise<ReplyMedia> {
  return withTimeout(
    storeProductImage(url, `${tenantId}/ai`, deps, AbortSignal.timeout(REPLY_IMAGE_BUDGET_MS)),
    REPLY_IMAGE_BUDGET_MS,
    'product image',
  )
}
