import type { Connection } from 'mongoose'
import { accountModels } from '../modules/accounts/model.ts'
import { auditModels } from '../modules/audit/model.ts'
import { mediaModels } from '../modules/media/model.ts'
import { referralModels } from '../modules/referrals/model.ts'
import { streamModels } from './streams.ts'
import { listModels } from './lists.ts'
import { jobModels } from '../jobs/model.ts'
import { mailModels } from '../mail/model.ts'
import { followModels } from '../modules/follows/model.ts'
import { postModels } from '../modules/posts/model.ts'
import { notificationModels } from '../modules/notifications/model.ts'
import { moderationModels } from '../modules/moderation/model.ts'
import { commentModels } from '../modules/comments/model.ts'
import { groupModels } from '../modules/groups/model.ts'
import { lessonModels } from '../modules/lessons/model.ts'
import { messagingModels } from '../modules/messaging/model.ts'
import { onboardingModels } from '../modules/onboarding/model.ts'
import { digestModels } from '../modules/digest/model.ts'
import { commerceModels } from '../modules/commerce/model.ts'
import { earningsModels } from '../modules/commerce/earnings-model.ts'

export function createModels(conn: Connection) {
  return {
    ...accountModels(conn),
    ...auditModels(conn),
    ...mediaModels(conn),
    ...referralModels(conn),
    ...streamModels(conn),
    ...listModels(conn),
    ...jobModels(conn),
    ...mailModels(conn),
    ...postModels(conn),
    ...followModels(conn),
    ...notificationModels(conn),
    ...moderationModels(conn),
    ...commentModels(conn),
    ...groupModels(conn),
    ...lessonModels(conn),
    ...messagingModels(conn),
    ...onboardingModels(conn),
    ...commerceModels(conn),
    ...earningsModels(conn),
    ...digestModels(conn),
  }
}
export type Models = ReturnType<typeof createModels>

/** Creates every collection and index; run once at boot (autoIndex is off). */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) {
    await model.createCollection().catch((error: { codeName?: string }) => {
      if (error.codeName !== 'NamespaceExists') throw error
    })
    await model.createIndexes()
  }
}
