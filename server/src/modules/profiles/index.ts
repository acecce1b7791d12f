// The profiles module's face.
export { profileComplete, profileUrls } from './service.ts'
