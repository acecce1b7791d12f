import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.ts'
import type { Models } from './db/models.ts'

/** What every service needs: no request, no reply. */
export interface ServiceContext {
  config: Config
  models: Models
  log: FastifyBaseLogger
}

/** The signed-in member a request acts for. */
export interface Actor {
  id: string
  handle: string
  role: 'partner' | 'customer' | 'admin'
}
