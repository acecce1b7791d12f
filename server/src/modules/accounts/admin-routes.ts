import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import {
  AdminMemberResultSchema,
  AdminMemberSchema,
  AdminMemberSearchSchema,
  StandingBodySchema,
  SuspendBodySchema,
  type AdminMemberSearch,
  type StandingBody,
  type SuspendBody,
} from '@vernetzt/shared/schemas/members-admin'
import { requireActor } from '../../plugins/auth.ts'
import { findMembers, getAdminMember, resendVerificationFor, setStanding, suspendMember, unsuspendMember } from './admin-members.ts'

/** /admin/members: find, suspend, restore, promote and demote members (administrators only). */
const adminMemberRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['admin']
  const one = { 200: AdminMemberSchema, ...errorResponses }

  app.get<{ Querystring: AdminMemberSearch }>(
    '/admin/members',
    {
      schema: {
        tags,
        summary: 'Find a member by handle or exact email',
        querystring: AdminMemberSearchSchema,
        response: { 200: AdminMemberResultSchema, ...errorResponses },
      },
    },
    async (request) => findMembers(ctx, requireActor(request), request.query.q),
  )
  app.get<{ Params: HandleParams }>(
    '/admin/members/:handle',
    { schema: { tags, summary: 'A member as administrators see them', params: HandleParamsSchema, response: one } },
    async (request) => getAdminMember(ctx, requireActor(request), request.params.handle),
  )
  app.post<{ Params: HandleParams; Body: SuspendBody }>(
    '/admin/members/:handle/suspend',
    { schema: { tags, summary: 'Suspend: no sign-in, profile unavailable', params: HandleParamsSchema, body: SuspendBodySchema, response: one } },
    async (request) => suspendMember(ctx, requireActor(request), request.params.handle, request.body),
  )
  app.post<{ Params: HandleParams; Body: SuspendBody }>(
    '/admin/members/:handle/unsuspend',
    { schema: { tags, summary: 'End a suspension', params: HandleParamsSchema, body: SuspendBodySchema, response: one } },
    async (request) => unsuspendMember(ctx, requireActor(request), request.params.handle, request.body),
  )
  app.put<{ Params: HandleParams; Body: StandingBody }>(
    '/admin/members/:handle/standing',
    { schema: { tags, summary: 'Make admin, site moderator, or neither', params: HandleParamsSchema, body: StandingBodySchema, response: one } },
    async (request) => setStanding(ctx, requireActor(request), request.params.handle, request.body),
  )
  app.post<{ Params: HandleParams }>(
    '/admin/members/:handle/verification',
    { config: { limits: ['auth'] }, schema: { tags, summary: 'Send the verification mail again', params: HandleParamsSchema, response: one } },
    async (request) => resendVerificationFor(ctx, requireActor(request), request.params.handle),
  )
}

export default adminMemberRoutes
