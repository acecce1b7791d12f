import type { OnboardingItem } from '@vernetzt/shared/schemas/onboarding'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * One member's onboarding checklist, keyed by the member's _id (every read and write is a bare
 * {_id} lookup). An item is absent until it is done; it is then set with `$min`, so the first
 * date wins, a repeated event changes nothing, and no filter beyond _id is needed.
 * (No defaults on the items: a null stored there would make `$min` keep null for ever.)
 */
export interface OnboardingDoc {
  _id: Types.ObjectId
  items: Partial<Record<OnboardingItem, Date>>
  /** Set once, by whoever ticks the last open item; the sponsor is told exactly then. */
  completedAt?: Date
  createdAt: Date
}

const OnboardingSchema = new Schema<OnboardingDoc>(
  {
    _id: { type: Schema.Types.ObjectId },
    items: {
      profile: { type: Date },
      photo: { type: Date },
      firstPrPost: { type: Date },
      teamGroup: { type: Date },
      firstLesson: { type: Date },
    },
    completedAt: { type: Date },
    createdAt: { type: Date },
  },
  { versionKey: false, minimize: false },
)

export function onboardingModels(conn: Connection) {
  return { Onboarding: conn.model('Onboarding', OnboardingSchema, 'onboarding') as Model<OnboardingDoc> }
}
