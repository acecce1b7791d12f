import { randomBytes } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { Ajv } from 'ajv'
import { AppError } from '@vernetzt/shared/errors'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import {
  CreateOrderBodySchema,
  OrderPageSchema,
  StatementSchema,
  OrderSchema,
  PaymentEventSchema,
  PeriodParamsSchema,
  PlanBodySchema,
  PlanListSchema,
  PlanSchema,
  ProductBodySchema,
  ProductListSchema,
  ProductSchema,
  type CreateOrderBody,
  type PaymentEvent,
  type PeriodParams,
  type PlanBody,
  type ProductBody,
} from '@vernetzt/shared/schemas/commerce'
import { PostIdParamsSchema, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { closePeriod, createPlan, listPlans, statement } from './ledger.ts'
import { SIGNATURE_HEADER, TestPaymentProvider, signWebhook } from './payments.ts'
import { applyPaymentEvent, createOrder, createProduct, getOrder, getProduct, listOrders, listProducts, updateProduct } from './service.ts'

const ajv = new Ajv({ allErrors: false })
ajv.addFormat('date-time', { type: 'string', validate: (value: string) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)) })
const validateEvent = ajv.compile<PaymentEvent>(PaymentEventSchema)

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  // The bundled test provider confirms payments by a click: it exists only where it is the
  // configured provider (by default only on a loopback PUBLIC_URL, see config.ts). Without a
  // provider the shop can be browsed but not checked out.
  const provider = ctx.config.paymentProvider === 'test' ? new TestPaymentProvider(ctx.config.paymentWebhookSecret, ctx.config.publicUrl) : null
  const checkoutProvider = () => {
    if (!provider) throw new AppError('PAYMENTS_NOT_CONFIGURED', 'The shop does not take payments yet: the operator has not set up a payment provider.')
    return provider
  }

  app.get(
    '/products',
    {
      schema: { tags: ['shop'], summary: 'The product catalog (admins also see inactive products)', response: { 200: ProductListSchema, ...errorResponses } },
    },
    async (request) => listProducts(ctx, request.actor),
  )
  app.get<{ Params: PostIdParams }>(
    '/products/:id',
    {
      schema: { tags: ['shop'], params: PostIdParamsSchema, response: { 200: ProductSchema, ...errorResponses } },
    },
    async (request) => getProduct(ctx, request.params.id),
  )
  app.post<{ Body: ProductBody }>(
    '/admin/products',
    {
      schema: { tags: ['shop'], body: ProductBodySchema, response: { 201: ProductSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createProduct(ctx, requireActor(request), request.body)),
  )
  app.put<{ Params: PostIdParams; Body: ProductBody }>(
    '/admin/products/:id',
    {
      schema: { tags: ['shop'], params: PostIdParamsSchema, body: ProductBodySchema, response: { 200: ProductSchema, ...errorResponses } },
    },
    async (request) => updateProduct(ctx, requireActor(request), request.params.id, request.body),
  )

  app.post<{ Body: CreateOrderBody }>(
    '/orders',
    {
      schema: {
        tags: ['shop'],
        summary: 'Order products; the same idempotencyKey returns the same order (200 instead of 201)',
        body: CreateOrderBodySchema,
        response: { 201: OrderSchema, 200: OrderSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const { order, created } = await createOrder(ctx, checkoutProvider(), actor, request.body)
      return reply.status(created ? 201 : 200).send(order)
    },
  )
  app.get<{ Querystring: { cursor?: string; limit?: number; all?: boolean } }>(
    '/orders',
    {
      schema: {
        tags: ['shop'],
        summary: 'Your orders, newest first (admins: all=true for every order)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cursor: { type: 'string', maxLength: 40 }, limit: { type: 'integer', minimum: 1, maximum: 100 }, all: { type: 'boolean' } },
        },
        response: { 200: OrderPageSchema, ...errorResponses },
      },
    },
    async (request) => listOrders(ctx, requireActor(request), request.query),
  )
  app.get<{ Params: PostIdParams }>(
    '/orders/:id',
    {
      schema: { tags: ['shop'], params: PostIdParamsSchema, response: { 200: OrderSchema, ...errorResponses } },
    },
    async (request) => getOrder(ctx, requireActor(request), request.params.id),
  )

  if (provider) {
    // The webhook is verified over its exact bytes, so this route reads the body raw.
    await app.register(async (hook) => {
      hook.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
      hook.post(
        '/payments/webhook',
        {
          schema: { tags: ['shop'], summary: `Payment provider webhook, signed in the ${SIGNATURE_HEADER} header` },
        },
        async (request) => {
          const event = provider.verifyWebhook(request.body as Buffer, request.headers)
          if (!validateEvent(event)) {
            const first = validateEvent.errors?.[0]
            throw new AppError('VALIDATION_FAILED', `${first?.instancePath.slice(1) || 'event'} ${first?.message ?? 'is invalid'}`)
          }
          return applyPaymentEvent(ctx, event)
        },
      )
    })

    // The bundled test provider's checkout: the buyer (or an admin) has the provider report a payment.
    app.post<{ Params: PostIdParams; Body: { type: PaymentEvent['type'] } }>(
      '/payments/test/:id',
      {
        schema: {
          tags: ['shop'],
          summary: 'Test provider only: report this order paid (buyer), or failed or refunded (admin)',
          params: PostIdParamsSchema,
          body: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: PaymentEventSchema.properties.type } },
          response: { 200: OrderSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const order = await getOrder(ctx, actor, request.params.id)
        if (request.body.type !== 'payment.paid' && actor.role !== 'admin')
          throw new AppError('FORBIDDEN', 'Only an administrator can refund or fail a payment.')
        const body = JSON.stringify({
          id: `evt_${randomBytes(8).toString('hex')}`,
          type: request.body.type,
          reference: order.payment.reference,
          occurredAt: new Date().toISOString(),
          amountCents: order.totalCents,
          currency: order.currency,
        })
        // Through the same door as the provider's webhook: signature, parsing, idempotency.
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/payments/webhook',
          payload: body,
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(ctx.config.paymentWebhookSecret, body) },
        })
        if (res.statusCode !== 200) throw new AppError('INTERNAL', `The test payment was refused: ${res.body}`)
        return getOrder(ctx, actor, request.params.id)
      },
    )
  }

  app.get<{ Params: PeriodParams; Querystring: { member?: string } }>(
    '/statements/:period',
    {
      schema: {
        tags: ['commissions'],
        summary: 'Your commission statement for a month (admins: any partner with ?member=<id>)',
        params: PeriodParamsSchema,
        querystring: { type: 'object', additionalProperties: false, properties: { member: PostIdParamsSchema.properties.id } },
        response: { 200: StatementSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireActor(request)
      return statement(ctx, actor, request.query.member ?? actor.id, request.params.period)
    },
  )

  app.get(
    '/commission-plan',
    {
      schema: { tags: ['commissions'], summary: 'The plan in force and every earlier version', response: { 200: PlanListSchema, ...errorResponses } },
    },
    async (request) => {
      requireActor(request)
      return listPlans(ctx)
    },
  )
  app.post<{ Body: PlanBody }>(
    '/admin/commission-plan',
    {
      schema: {
        tags: ['commissions'],
        summary: 'A new plan version, in force from now on',
        body: PlanBodySchema,
        response: { 201: PlanSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createPlan(ctx, requireActor(request), request.body)),
  )
  app.post<{ Params: PeriodParams }>(
    '/admin/periods/:period/close',
    {
      schema: {
        tags: ['commissions'],
        summary: 'Close a finished month: its statements become final',
        params: PeriodParamsSchema,
        response: {
          200: {
            type: 'object',
            required: ['period', 'closedAt'],
            additionalProperties: false,
            properties: { period: { type: 'string' }, closedAt: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => closePeriod(ctx, requireActor(request), request.params.period),
  )
}

export default routes
