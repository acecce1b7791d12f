import type { FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    /** What a route says its answer shows beyond what its body names (see server/src/cache/policy.ts). */
    answerTags?: string[]
  }
}

/** A member's own pages (their feed, their menu): forgotten when anything only they see changes. */
export const viewerTag = (memberId: string) => `viewer:${memberId}`
/** The posts of a group, as merged into its members' home feeds. */
export const groupPostsTag = (groupId: string) => `groupposts:${groupId}`

/** A route names tags its answer depends on, for the cache to forget it by (a no-op when nothing caches it). */
export function tagAnswer(request: FastifyRequest, tags: string[]): void {
  request.answerTags = [...(request.answerTags ?? []), ...tags]
}
