import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

/** OpenAPI document at /api/docs/json, generated from the same route schemas that validate requests. */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Vernetzt API',
          version: '1',
          description: 'Social community network for network-marketing partners and their customers.',
        },
        servers: [{ url: app.ctx.config.publicUrl }],
        components: {
          securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'vz_session' } },
        },
        security: [{ session: [] }],
      },
    })
    await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  },
  { name: 'docs', dependencies: ['context'] },
)
