import { Schema, type Connection } from 'mongoose'

/**
 * What became of one outgoing mail (its _id is the mail's id, see OutgoingMail): written
 * `sending` just before the SMTP transaction and `sent` with the server's answer right after,
 * so a retry of the job after a crash knows whether the mail went out.
 */
export interface MailDeliveryDoc {
  _id: string
  kind: string
  to: string
  state: 'sending' | 'sent' | 'rejected' | 'suppressed'
  attempts: number
  messageId: string
  /** The SMTP server's last answer (or the reason a mail was not sent). */
  response: string
  updatedAt: Date
}
const MailDeliverySchema = new Schema<MailDeliveryDoc>(
  {
    _id: { type: String },
    kind: { type: String, required: true },
    to: { type: String, required: true },
    state: { type: String, enum: ['sending', 'sent', 'rejected', 'suppressed'], required: true },
    attempts: { type: Number, default: 0 },
    messageId: { type: String, required: true },
    response: { type: String, default: '' },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
)

/**
 * An address that refused mail for good (a 5xx answer to RCPT TO: unknown user, mailbox gone):
 * nothing more is sent to it until its owner changes or re-verifies it. _id: the address, lower-case.
 */
export interface MailSuppressionDoc {
  _id: string
  reason: string
  at: Date
}
const MailSuppressionSchema = new Schema<MailSuppressionDoc>(
  { _id: { type: String }, reason: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
)

export function mailModels(conn: Connection) {
  return {
    MailDelivery: conn.model<MailDeliveryDoc>('MailDelivery', MailDeliverySchema, 'mail_deliveries'),
    MailSuppression: conn.model<MailSuppressionDoc>('MailSuppression', MailSuppressionSchema, 'mail_suppressions'),
  }
}
