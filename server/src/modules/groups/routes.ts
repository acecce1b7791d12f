import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import {
  CreateGroupBodySchema,
  DecisionBodySchema,
  GroupMemberPageSchema,
  GroupPageSchema,
  GroupSchema,
  GroupsQuerySchema,
  HandleBodySchema,
  JoinResultSchema,
  RequestPageSchema,
  RoleBodySchema,
  SlugParamsSchema,
  type CreateGroupBody,
  type DecisionBody,
  type GroupsQuery,
  type HandleBody,
  type RoleBody,
  type SlugParams,
} from '@vernetzt/shared/schemas/groups'
import { requireActor } from '../../plugins/auth.ts'
import { createGroup, listGroups, openGroup, setOnboardingCourse } from './service.ts'
import { decideRequest, invite, joinGroup, leaveGroup, listMembers, listRequests, removeMember, setRole } from './membership.ts'

const MembersQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor: { type: 'string', pattern: '^[0-9:]{1,30}$' }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
} as const

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['groups']
  const ok = { 200: OkSchema, ...errorResponses }

  app.post<{ Body: CreateGroupBody }>(
    '/groups',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Open a community, team (partners; follows your downline) or training group',
        body: CreateGroupBodySchema,
        response: { 201: GroupSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createGroup(ctx, requireActor(request), request.body)),
  )

  app.get<{ Querystring: GroupsQuery }>(
    '/groups',
    {
      schema: {
        tags,
        summary: 'Directory of public groups, or mine=true for your own (team groups included)',
        querystring: GroupsQuerySchema,
        response: { 200: GroupPageSchema, ...errorResponses },
      },
    },
    async (request) => listGroups(ctx, request.actor, request.query),
  )

  app.get<{ Params: SlugParams }>(
    '/groups/:slug',
    {
      schema: { tags, params: SlugParamsSchema, response: { 200: GroupSchema, ...errorResponses } },
    },
    async (request) => openGroup(ctx, request.actor, request.params.slug),
  )

  app.post<{ Params: SlugParams }>(
    '/groups/:slug/join',
    {
      schema: { tags, params: SlugParamsSchema, response: { 200: JoinResultSchema, ...errorResponses } },
    },
    async (request) => joinGroup(ctx, requireActor(request), request.params.slug),
  )

  app.post<{ Params: SlugParams }>(
    '/groups/:slug/leave',
    {
      schema: { tags, params: SlugParamsSchema, response: ok },
    },
    async (request) => {
      await leaveGroup(ctx, requireActor(request), request.params.slug)
      return { ok: true }
    },
  )

  app.get<{ Params: SlugParams; Querystring: { cursor?: string; limit?: number } }>(
    '/groups/:slug/members',
    {
      schema: { tags, params: SlugParamsSchema, querystring: MembersQuerySchema, response: { 200: GroupMemberPageSchema, ...errorResponses } },
    },
    async (request) => listMembers(ctx, request.actor, request.params.slug, request.query),
  )

  app.post<{ Params: SlugParams; Body: HandleBody }>(
    '/groups/:slug/members/remove',
    {
      schema: { tags, params: SlugParamsSchema, body: HandleBodySchema, response: ok },
    },
    async (request) => {
      await removeMember(ctx, requireActor(request), request.params.slug, request.body)
      return { ok: true }
    },
  )

  app.post<{ Params: SlugParams; Body: RoleBody }>(
    '/groups/:slug/roles',
    {
      schema: { tags, params: SlugParamsSchema, body: RoleBodySchema, response: ok },
    },
    async (request) => {
      await setRole(ctx, requireActor(request), request.params.slug, request.body)
      return { ok: true }
    },
  )

  app.get<{ Params: SlugParams }>(
    '/groups/:slug/requests',
    {
      schema: { tags, params: SlugParamsSchema, response: { 200: RequestPageSchema, ...errorResponses } },
    },
    async (request) => listRequests(ctx, requireActor(request), request.params.slug),
  )

  app.post<{ Params: SlugParams; Body: DecisionBody }>(
    '/groups/:slug/requests',
    {
      schema: { tags, summary: 'Approve or decline a join request', params: SlugParamsSchema, body: DecisionBodySchema, response: ok },
    },
    async (request) => {
      await decideRequest(ctx, requireActor(request), request.params.slug, request.body)
      return { ok: true }
    },
  )

  app.put<{ Body: { slug: string | null } }>(
    '/me/onboarding-course',
    {
      schema: {
        tags,
        summary: 'The training group your new recruits start in (null: none)',
        body: { type: 'object', required: ['slug'], additionalProperties: false, properties: { slug: { type: ['string', 'null'], maxLength: 60 } } },
        response: {
          200: { type: 'object', required: ['slug'], additionalProperties: false, properties: { slug: { type: ['string', 'null'] } } },
          ...errorResponses,
        },
      },
    },
    async (request) => setOnboardingCourse(ctx, requireActor(request), request.body.slug),
  )

  app.post<{ Params: SlugParams; Body: HandleBody }>(
    '/groups/:slug/invitations',
    {
      config: { limits: ['content'] },
      schema: { tags, params: SlugParamsSchema, body: HandleBodySchema, response: ok },
    },
    async (request) => {
      await invite(ctx, requireActor(request), request.params.slug, request.body)
      return { ok: true }
    },
  )
}

export default routes
