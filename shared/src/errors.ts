/**
 * The closed set of error codes the API can answer with, and the HTTP status of each.
 * Clients (and tests) branch on `code`, never on message text.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN_REFUSED: 403,
  NOT_FOUND: 404,
  PROFILE_NOT_FOUND: 404,
  HANDLE_TAKEN: 409,
  EMAIL_TAKEN: 409,
  HANDLE_INVALID: 422,
  HANDLE_RESERVED: 422,
  SPONSOR_NOT_FOUND: 422,
  SPONSOR_NOT_PARTNER: 422,
  MOVE_WOULD_CREATE_CYCLE: 422,
  MOVE_NOT_ALLOWED: 422,
  POST_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  NOT_AUTHOR: 403,
  AD_NOT_ALLOWED_HERE: 422,
  ONLY_PARTNERS_ADVERTISE: 422,
  MARKETPLACE_IS_FOR_ADS: 422,
  CANNOT_FOLLOW_SELF: 422,
  POSTING_LIMITED: 403,
  REPORT_NOT_FOUND: 404,
  SLUG_TAKEN: 409,
  SLUG_INVALID: 422,
  TEAM_GROUP_EXISTS: 409,
  TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE: 422,
  ONLY_PARTNERS_LEAD_GROUPS: 422,
  OWNER_CANNOT_LEAVE: 422,
  NOT_A_MEMBER: 422,
  REQUEST_NOT_FOUND: 404,
  LESSON_NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  MESSAGE_REQUEST_PENDING: 403,
  BLOCKED: 403,
  PRODUCT_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  WEBHOOK_SIGNATURE_INVALID: 401,
  PAYMENT_MISMATCH: 422,
  PAYMENTS_NOT_CONFIGURED: 409,
  PLAN_INVALID: 422,
  PERIOD_NOT_OVER: 422,
  PERIOD_CLOSED: 409,
  PERIOD_OPEN: 409,
  ATTACHMENT_INVALID: 422,
  CONTENT_EMPTY: 422,
  NOT_A_TRAINING_GROUP: 422,
  REPORT_CLOSED: 409,
  CANNOT_RECLASSIFY: 422,
  COMMENT_NOT_FOUND: 404,
  REPLY_TOO_DEEP: 422,
  PUSH_ENDPOINT_REFUSED: 422,
  TIME_ZONE_UNKNOWN: 422,
  UNSUPPORTED_MEDIA: 415,
  PAYLOAD_TOO_LARGE: 413,
  URL_TOO_LONG: 414,
  TOKEN_INVALID: 400,
  TOKEN_USED: 409,
  TOKEN_EXPIRED: 410,
  EMAIL_ALREADY_VERIFIED: 409,
  CURRENT_PASSWORD_WRONG: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DB_UNAVAILABLE: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value)
}

/** Thrown by services; the server's error handler turns it into `{ error: { code, message, details } }`. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: unknown
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
  get status(): number {
    return ERROR_STATUS[this.code]
  }
}
