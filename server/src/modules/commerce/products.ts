// The product catalog: what the shop sells, kept by administrators.
import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { type Product, type ProductBody } from '@vernetzt/shared/schemas/commerce'
import { Types } from 'mongoose'
import { requireAdmin, type Actor, type ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { bindMedia, mediaReferences } from '../media/index.ts'
import type { ProductDoc } from './model.ts'

export const CATALOG = 'catalog'

function toProduct(p: ProductDoc): Product {
  return {
    id: p._id.toString(),
    name: p.name,
    description: p.description,
    descriptionHtml: p.descriptionHtml,
    imageIds: p.imageIds.map(String),
    imageUrls: p.imageIds.map((id) => `/media/${id.toString()}`),
    priceCents: p.priceCents,
    currency: p.currency,
    vatRateBp: p.vatRateBp,
    commissionableCents: p.commissionableCents,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
  }
}

/** The shop is public: a product's pictures and what its description shows are too. */
async function publishProductMedia(ctx: ServiceContext, actor: Actor, input: ProductBody): Promise<void> {
  await bindMedia(ctx, actor, [...(input.imageIds ?? []), ...mediaReferences(input.description ?? '')], { public: true })
}

function checkProduct(input: ProductBody): void {
  // Commissions are a share of what the buyer pays, never more.
  if (input.commissionableCents > input.priceCents) {
    throw new AppError('VALIDATION_FAILED', 'The commissionable value cannot exceed the price.', { field: 'commissionableCents' })
  }
}

export async function createProduct(ctx: ServiceContext, actor: Actor, input: ProductBody): Promise<Product> {
  requireAdmin(actor)
  checkProduct(input)
  const product = (
    await ctx.models.Product.create({
      ...input,
      description: input.description ?? '',
      descriptionHtml: renderMarkdown(input.description ?? ''),
      imageIds: input.imageIds ?? [],
    })
  ).toObject() as ProductDoc
  await publishProductMedia(ctx, actor, input)
  await append(ctx, [CATALOG], product._id)
  return toProduct(product)
}

export async function updateProduct(ctx: ServiceContext, actor: Actor, id: string, input: ProductBody): Promise<Product> {
  requireAdmin(actor)
  checkProduct(input)
  if (!Types.ObjectId.isValid(id)) throw new AppError('PRODUCT_NOT_FOUND', 'There is no such product.')
  // Orders keep their own copy of name, price and commissionable value: editing never changes the past.
  const product = (await ctx.models.Product.findByIdAndUpdate(
    id,
    {
      $set: { ...input, description: input.description ?? '', descriptionHtml: renderMarkdown(input.description ?? ''), imageIds: input.imageIds ?? [] },
    },
    { returnDocument: 'after' },
  ).lean()) as ProductDoc | null
  if (!product) throw new AppError('PRODUCT_NOT_FOUND', 'There is no such product.')
  await publishProductMedia(ctx, actor, input)
  return toProduct(product)
}

/** The catalog, newest first; inactive products only for admins. */
export async function listProducts(ctx: ServiceContext, actor: Actor | null): Promise<{ items: Product[] }> {
  const items: Product[] = []
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, CATALOG, { cursor, limit: 100 }, async (refs) =>
      Promise.all(refs.map(async (id) => (await ctx.models.Product.findById(id).lean()) as ProductDoc | null)),
    )
    items.push(...page.items.filter((p) => p.active || actor?.role === 'admin').map(toProduct))
    cursor = page.nextCursor ?? undefined
  } while (cursor && items.length < 1000)
  return { items }
}

export async function getProduct(ctx: ServiceContext, id: string): Promise<Product> {
  const product = Types.ObjectId.isValid(id) ? ((await ctx.models.Product.findById(id).lean()) as ProductDoc | null) : null
  if (!product || !product.active) throw new AppError('PRODUCT_NOT_FOUND', 'There is no such product.')
  return toProduct(product)
}
