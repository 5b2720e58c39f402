/**
 * @module
 * show_product_image: the model picks one product picture to send with its reply (ADR 082). Only
 * an image URL a product tool returned in this run is accepted, so a customer cannot talk the AI
 * into fetching an address of their choosing.
 */
import { z } from 'zod'
import type { Tool } from './types.ts'

const args = z.object({ image_url: z.string().min(1).max(2000) })

export function productImageTool(offeredImages: Set<string>): Tool {
  return {
    name: 'show_product_image',
    description:
      "Send one product's picture with your reply (one picture per reply). Use an image_url returned by search_products or get_product.",
    parameters: {
      type: 'object',
      properties: { image_url: { type: 'string', description: 'image_url of a product you found' } },
      required: ['image_url'],
      additionalProperties: false,
    },
    async run(input) {
      const { image_url } = args.parse(input)
      if (!offeredImages.has(image_url)) {
        return { result: { shown: false, error: 'Unknown image: use an image_url a product tool returned' } }
      }
      return { result: { shown: true, note: 'The picture goes out with your reply' }, attachImage: image_url }
    },
  }
}
