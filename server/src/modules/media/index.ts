// The media module's face: storing, processing and binding uploads; serving is its own routes.
export { AVATAR_SIZE, POST_IMAGE_MAX, processImage } from './images.ts'
export { namedFile, singleFile } from './multipart.ts'
export { bindMedia, deleteMedia, findMedia, groupAudience, mediaReferences, postAudience, storeMedia, type MediaAudience } from './service.ts'
export type { MediaDoc } from './model.ts'
