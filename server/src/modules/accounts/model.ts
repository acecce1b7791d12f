import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose'

const LinkSchema = new Schema({ label: { type: String, required: true }, url: { type: String, required: true } }, { _id: false })

const MemberSchema = new Schema(
  {
    /** Lower-case; unique. Also the subdomain and /p/<handle>. */
    handle: { type: String, required: true },
    /** Lower-case; unique. */
    email: { type: String, required: true },
    passwordHash: { type: String, default: null },
    /** When the member opened the link of the verification mail for the current email; null: not yet. */
    emailVerifiedAt: { type: Date, default: null },
    /** When a customer became a partner (null: a partner from the start, or a customer). */
    partnerSince: { type: Date, default: null },
    /** A new address asked for and not yet confirmed through the link sent to it. */
    pendingEmail: { type: String, default: null },
    /** When the last verification mail was queued (one a minute at most). */
    verificationSentAt: { type: Date, default: null },
    /**
     * Two-factor sign-in (TOTP, RFC 6238): the key sealed under SESSION_SECRET and the SHA-256 of
     * the unused recovery codes (used codes and time steps: TwoFactorUse).
     */
    twoFactor: {
      type: new Schema({ secret: String, enabledAt: Date, recovery: [String] }, { _id: false }),
      default: null,
    },
    /** A setup begun but not yet confirmed with a code: its sealed key. */
    twoFactorPending: { type: new Schema({ secret: String, createdAt: Date }, { _id: false }), default: null },
    /** Sessions begun before this are over (a password reset or change signed the member out everywhere else). */
    sessionsNotBefore: { type: Date, default: null },
    /** The language mail is written in (the one the member signed up in). */
    lang: { type: String, enum: ['de', 'en'], default: 'de' },
    displayName: { type: String, required: true },
    role: { type: String, enum: ['partner', 'customer', 'admin'], required: true },
    isRoot: { type: Boolean, default: false },
    /** A site-wide moderator: works the moderation queue and the company inbox (set by an admin). */
    moderator: { type: Boolean, default: false },
    /** The role an admin had before being made one, which demoting gives back. */
    formerRole: { type: String, default: null },
    /** Suspended by an admin (`by`: their handle): cannot sign in, profile unavailable; the audit log keeps it too. */
    suspension: { type: new Schema({ at: Date, reason: String, by: String }, { _id: false }), default: null },
    sponsorId: { type: Schema.Types.ObjectId, default: null },
    /** Materialized path of sponsors, nearest first: upline[0] is the sponsor, last is the root. */
    upline: { type: [Schema.Types.ObjectId], default: [] },
    /** Distance from the company root (root = 0). */
    depth: { type: Number, required: true },
    /** Downline counters per level, keyed "l1", "l2", … (document keys may not be bare numbers in every driver). */
    downline: { type: Schema.Types.Mixed, default: () => ({}) },
    downlineTotal: { type: Number, default: 0 },
    /**
     * Per level, the last sequence number handed out in this member's level lists. Unlike the
     * counters it never goes down (a member moved away leaves a hole), so numbers are never reused.
     */
    downlineSeq: { type: Schema.Types.Mixed, default: () => ({}) },
    /** upSeqs[i] is this member's number in the level-(i+1) list of upline[i]; see referrals/model.ts. */
    upSeqs: { type: [Number], default: undefined },
    followerCount: { type: Number, default: 0 },
    /**
     * Whether this member's audience (followers and recruits lists, db/lists.ts) was kept from the
     * start: set for every member who joined since lists exist; older members' lists are built once,
     * on their first post (posts/audience.ts), and then this is set.
     */
    audienceListed: { type: Boolean, default: false },
    followingCount: { type: Number, default: 0 },
    unreadNotifications: { type: Number, default: 0 },
    /** Posts reclassified as unflagged advertising; repeated offences earn a warning. */
    adOffences: { type: Number, default: 0 },
    /** Set by an admin: no posting to feeds until then. */
    postingLimitedUntil: { type: Date, default: null },
    /** The training group a new recruit of this sponsor is put into at join. */
    onboardingGroupId: { type: Schema.Types.ObjectId, default: null },
    /** The sponsor's welcome message to every new recruit; {name} becomes the recruit's name. */
    welcomeText: { type: String, default: null },
    /** Privacy switches: whether others see that this member read their messages. */
    readReceipts: { type: Boolean, default: true },
    /** Privacy switch: whether people who share a conversation see "online" / "last seen". */
    showPresence: { type: Boolean, default: true },
    /** Members this one blocked: they cannot message them, and their messages in shared chats are hidden. */
    blocked: { type: [Schema.Types.ObjectId], default: [] },
    /** The reverse: who blocked this member, so their messages skip those sockets without a lookup per reader. */
    blockedBy: { type: [Schema.Types.ObjectId], default: [] },
    bio: { type: String, default: '' },
    bioHtml: { type: String, default: '' },
    location: { type: String, default: '' },
    languages: { type: [String], default: [] },
    links: { type: [LinkSchema], default: [] },
    avatarId: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: true, minimize: false },
)
MemberSchema.index({ handle: 1 }, { unique: true })
MemberSchema.index({ email: 1 }, { unique: true })
// Everyone below X: { upline: X } (crash repair and admin moves; level lists use referrals/model.ts).
MemberSchema.index({ upline: 1, depth: 1 })

export type MemberDoc = InferSchemaType<typeof MemberSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date }

const SessionSchema = new Schema(
  {
    /** HMAC-SHA256 of the cookie token: a database leak reveals no usable session. */
    _id: { type: String },
    userId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    userAgent: { type: String, default: '' },
    ip: { type: String, default: '' },
  },
  { versionKey: false },
)
SessionSchema.index({ userId: 1 })
SessionSchema.index({ expiresAt: 1 })
export type SessionDoc = InferSchemaType<typeof SessionSchema>

/**
 * Unique keys that point at a member: "handle:<handle>", "email:<email>" and "root".
 * Every lookup by handle or email is a lookup by _id here. That is what MongoDB does with a
 * unique index anyway, but FerretDB 1.x (SQLite) pushes only _id equality down to an index and
 * filters everything else by scanning the whole collection in Go (3 s at 20,000 members).
 * Inserting the key is also how a handle or email is claimed: a duplicate _id means taken.
 */
export interface KeyDoc {
  _id: string
  memberId: Types.ObjectId
}
const KeySchema = new Schema<KeyDoc>({ _id: { type: String }, memberId: { type: Schema.Types.ObjectId, required: true } }, { versionKey: false })

/**
 * A join in flight, written before anything else and removed when the member and all ancestor
 * counters are written. A join that died half-way (process killed) is finished or undone from
 * here by the repair job; the collection stays tiny, so reading it all is cheap on any backend.
 */
export interface PendingJoinDoc {
  _id: Types.ObjectId
  keys: string[]
  upline: Types.ObjectId[]
  createdAt: Date
}
const PendingJoinSchema = new Schema<PendingJoinDoc>(
  {
    _id: { type: Schema.Types.ObjectId },
    keys: { type: [String], default: [] },
    upline: { type: [Schema.Types.ObjectId], default: [] },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

/**
 * A single-use link sent by mail (verify an address, reset a password). _id: SHA-256 of the
 * purpose and the token, so the database never holds a usable link and a token of one purpose is
 * unknown to the other. `uses` counts redemptions; only the one that finds it at 0 wins.
 */
export interface EmailTokenDoc {
  _id: string
  purpose: 'verify' | 'reset' | 'email-change'
  memberId: Types.ObjectId
  /** The address the link went to: a verification is for that address only. */
  email: string
  expiresAt: Date
  uses: number
  createdAt: Date
}
const EmailTokenSchema = new Schema<EmailTokenDoc>(
  {
    _id: { type: String },
    purpose: { type: String, enum: ['verify', 'reset', 'email-change'], required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    uses: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
)

/**
 * A member's sessions, by id (_id: the member): the sessions collection cannot be searched by
 * member on FerretDB without a scan, and the security settings list them. Ids of sessions that
 * ended by expiry or by `sessionsNotBefore` are dropped when the list is next read.
 */
export interface SessionIndexDoc {
  _id: Types.ObjectId
  ids: string[]
}
const SessionIndexSchema = new Schema<SessionIndexDoc>({ _id: { type: Schema.Types.ObjectId }, ids: { type: [String], default: [] } }, { versionKey: false })

/** A sign-in whose password was right, waiting for the second factor. _id: SHA-256 of its token. */
export interface LoginChallengeDoc {
  _id: string
  memberId: Types.ObjectId
  expiresAt: Date
  attempts: number
}
const LoginChallengeSchema = new Schema<LoginChallengeDoc>(
  {
    _id: { type: String },
    memberId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
  },
  { versionKey: false },
)

/**
 * A second factor that was used: "<member>:step:<n>" for a TOTP time step, "<member>:recovery:<hash>"
 * for a recovery code. Inserting it is how a code is used: a duplicate means it was used already
 * (two requests with the same code at once: only one gets in), by _id alone.
 */
export interface TwoFactorUseDoc {
  _id: string
  at: Date
}
const TwoFactorUseSchema = new Schema<TwoFactorUseDoc>({ _id: { type: String }, at: { type: Date, required: true } }, { versionKey: false })

/** How often something was asked for one address within a window (password-reset mails), known address or not. */
export interface AddressLimitDoc {
  _id: string
  count: number
  windowStart: Date
}
const AddressLimitSchema = new Schema<AddressLimitDoc>(
  { _id: { type: String }, count: { type: Number, default: 0 }, windowStart: { type: Date, required: true } },
  { versionKey: false },
)

/** Failed sign-ins of one account (keyed by its normalized email, whether or not it exists). */
export interface LoginFailureDoc {
  _id: string
  failures: number
  lastFailureAt: Date
  lockedUntil: Date | null
}
const LoginFailureSchema = new Schema<LoginFailureDoc>(
  {
    _id: { type: String },
    failures: { type: Number, default: 0 },
    lastFailureAt: { type: Date, required: true },
    lockedUntil: { type: Date, default: null },
  },
  { versionKey: false },
)

export function accountModels(conn: Connection) {
  return {
    Member: conn.model('Member', MemberSchema, 'members') as Model<MemberDoc>,
    Session: conn.model('Session', SessionSchema, 'sessions') as Model<SessionDoc>,
    Key: conn.model('Key', KeySchema, 'keys') as Model<KeyDoc>,
    PendingJoin: conn.model('PendingJoin', PendingJoinSchema, 'pending_joins') as Model<PendingJoinDoc>,
    LoginFailure: conn.model('LoginFailure', LoginFailureSchema, 'login_failures') as Model<LoginFailureDoc>,
    EmailToken: conn.model('EmailToken', EmailTokenSchema, 'email_tokens') as Model<EmailTokenDoc>,
    TwoFactorUse: conn.model('TwoFactorUse', TwoFactorUseSchema, 'two_factor_uses') as Model<TwoFactorUseDoc>,
    LoginChallenge: conn.model('LoginChallenge', LoginChallengeSchema, 'login_challenges') as Model<LoginChallengeDoc>,
    SessionIndex: conn.model('SessionIndex', SessionIndexSchema, 'session_index') as Model<SessionIndexDoc>,
    AddressLimit: conn.model('AddressLimit', AddressLimitSchema, 'address_limits') as Model<AddressLimitDoc>,
  }
}
