import type { FromSchema } from 'json-schema-to-ts'
import { MARKDOWN_MAX } from '../markdown.ts'
import { MemberSummarySchema } from './common.ts'

export const LessonBodySchema = {
  type: 'object',
  required: ['title', 'body'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 3, maxLength: 120, pattern: '\\S' },
    body: { type: 'string', maxLength: MARKDOWN_MAX },
    /** "Mark as done" items, in order. */
    checklist: { type: 'array', maxItems: 30, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const
export type LessonBody = FromSchema<typeof LessonBodySchema>

export const LessonPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: LessonBodySchema.properties,
} as const
export type LessonPatch = FromSchema<typeof LessonPatchSchema>

const ProgressProperties = {
  done: { type: 'boolean' },
  /** Indexes of the checklist items ticked. */
  checked: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 29 }, uniqueItems: true },
} as const

export const LessonSchema = {
  type: 'object',
  required: ['id', 'groupSlug', 'position', 'title', 'html', 'body', 'checklist', 'myProgress'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    groupSlug: { type: 'string' },
    position: { type: 'integer' },
    title: { type: 'string' },
    body: { type: 'string' },
    html: { type: 'string' },
    checklist: { type: 'array', items: { type: 'string' } },
    myProgress: {
      type: 'object',
      required: ['done', 'checked'],
      additionalProperties: false,
      properties: ProgressProperties,
    },
  },
} as const
export type Lesson = FromSchema<typeof LessonSchema>

export const LessonListSchema = {
  type: 'object',
  required: ['items', 'doneCount'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: LessonSchema }, doneCount: { type: 'integer' } },
} as const
export type LessonList = FromSchema<typeof LessonListSchema>

export const LessonIdParamsSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$' } },
} as const
export type LessonIdParams = FromSchema<typeof LessonIdParamsSchema>

export const ProgressBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: ProgressProperties,
} as const
export type ProgressBody = FromSchema<typeof ProgressBodySchema>

export const LessonOrderBodySchema = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: { ids: { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', pattern: '^[0-9a-f]{24}$' } } },
} as const
export type LessonOrderBody = FromSchema<typeof LessonOrderBodySchema>

/** The owner's view: every member's progress on one lesson. */
export const LessonProgressPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['member', 'done', 'checked'],
        additionalProperties: false,
        properties: { member: MemberSummarySchema, ...ProgressProperties, doneAt: { type: ['string', 'null'], format: 'date-time' } },
      },
    },
    nextCursor: { type: ['string', 'null'] },
  },
} as const
export type LessonProgressPage = FromSchema<typeof LessonProgressPageSchema>
