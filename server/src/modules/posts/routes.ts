import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, OkSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import {
  CreatePostBodySchema,
  EditPostBodySchema,
  HomeFeedQuerySchema,
  MarketplaceQuerySchema,
  PostIdParamsSchema,
  PostPageSchema,
  PostSchema,
  ProfilePostsQuerySchema,
  type CreatePostBody,
  type EditPostBody,
  type FeedQuery,
  type MarketplaceQuery,
  type PostIdParams,
  type ProfilePostsQuery,
} from '@vernetzt/shared/schemas/posts'
import { SlugParamsSchema, type SlugParams } from '@vernetzt/shared/schemas/groups'
import { groupPostsTag, tagAnswer } from '../../cache/tags.ts'
import { requireActor } from '../../plugins/auth.ts'
import { readableGroup } from '../groups/index.ts'
import { groupPosts, homeFeed, marketplace, profilePosts } from './feeds.ts'
import { createPost, deletePost, editPost, getPost, pinPost } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['posts']

  app.post<{ Body: CreatePostBody }>(
    '/posts',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Post public relations (kind "pr", anywhere but the marketplace) or an ad (kind "ad", only in ad areas)',
        body: CreatePostBodySchema,
        response: { 201: PostSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await createPost(ctx, requireActor(request), request.body)),
  )

  app.get<{ Params: PostIdParams }>(
    '/posts/:id',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: PostSchema, ...errorResponses } },
    },
    async (request) => getPost(ctx, request.actor, request.params.id),
  )

  app.patch<{ Params: PostIdParams; Body: EditPostBody }>(
    '/posts/:id',
    {
      schema: { tags, params: PostIdParamsSchema, body: EditPostBodySchema, response: { 200: PostSchema, ...errorResponses } },
    },
    async (request) => editPost(ctx, requireActor(request), request.params.id, request.body),
  )

  app.delete<{ Params: PostIdParams }>(
    '/posts/:id',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await deletePost(ctx, requireActor(request), request.params.id)
      return { ok: true }
    },
  )

  app.get<{ Querystring: FeedQuery }>(
    '/feed',
    {
      schema: {
        tags,
        summary: 'Home feed: PR posts of people you follow, your sponsor, your direct recruits and your groups; never ads',
        querystring: HomeFeedQuerySchema,
        response: { 200: PostPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const page = await homeFeed(ctx, requireActor(request), request.query)
      // A cached feed page (see server/src/cache) is forgotten when one of these groups gets a post.
      tagAnswer(request, page.groupIds.map(groupPostsTag))
      return page
    },
  )

  app.get<{ Querystring: MarketplaceQuery }>(
    '/marketplace',
    {
      schema: {
        tags,
        summary: 'Ads only, newest first; filter by author handle and text',
        querystring: MarketplaceQuerySchema,
        response: { 200: PostPageSchema, ...errorResponses },
      },
    },
    async (request) => marketplace(ctx, request.query),
  )

  app.get<{ Params: SlugParams; Querystring: ProfilePostsQuery }>(
    '/groups/:slug/posts',
    {
      schema: {
        tags,
        summary: "A group's PR feed (kind=pr) or its ad channel (kind=ad)",
        params: SlugParamsSchema,
        querystring: ProfilePostsQuerySchema,
        response: { 200: PostPageSchema, ...errorResponses },
      },
    },
    async (request) => groupPosts(ctx, request.actor, request.params.slug, request.query),
  )

  app.post<{ Params: SlugParams; Body: { body: string; kind: 'pr' | 'ad' } }>(
    '/groups/:slug/posts',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Post in a group (PR to its feed; an ad only if the owner switched the ad channel on)',
        params: SlugParamsSchema,
        body: {
          type: 'object',
          required: ['body', 'kind'],
          additionalProperties: false,
          properties: { body: CreatePostBodySchema.properties.body, kind: CreatePostBodySchema.properties.kind },
        },
        response: { 201: PostSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const group = await readableGroup(ctx, request.actor, request.params.slug)
      const post = await createPost(ctx, requireActor(request), { ...request.body, area: { type: 'group', groupId: group._id.toString() } })
      return reply.status(201).send(post)
    },
  )

  app.post<{ Params: SlugParams; Body: { postId: string; pinned: boolean } }>(
    '/groups/:slug/pins',
    {
      schema: {
        tags,
        summary: 'Pin or unpin a post at the top of the group feed (owner and moderators; at most three)',
        params: SlugParamsSchema,
        body: {
          type: 'object',
          required: ['postId', 'pinned'],
          additionalProperties: false,
          properties: { postId: { type: 'string', pattern: '^[0-9a-f]{24}$' }, pinned: { type: 'boolean' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['pinnedPostIds'],
            additionalProperties: false,
            properties: { pinnedPostIds: { type: 'array', items: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => pinPost(ctx, requireActor(request), request.params.slug, request.body.postId, request.body.pinned),
  )

  app.get<{ Params: HandleParams; Querystring: ProfilePostsQuery }>(
    '/profiles/:handle/posts',
    {
      schema: {
        tags,
        summary: "A profile's PR stream (kind=pr) or offers tab (kind=ad)",
        params: HandleParamsSchema,
        querystring: ProfilePostsQuerySchema,
        response: { 200: PostPageSchema, ...errorResponses },
      },
    },
    async (request) => profilePosts(ctx, request.params.handle, request.query),
  )
}

export default routes
