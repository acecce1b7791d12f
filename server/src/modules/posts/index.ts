// The posts module's face: visibility rules and placement for other modules.
export { placePost, renderVisible, streams, toPost } from './service.ts'
export { assertReadable, canSeePost, readablePost } from './visibility.ts'
export type { PostDoc } from './model.ts'
export { migrateFeedHeads } from './delivery.ts'
export { feedEnd, feedStream, feedWriter } from './feed-writer.ts'
