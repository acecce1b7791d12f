// The outbox job's payload, apart from outbox.ts so the job catalog can name it without an import circle.

/** The job's payload: the content sealed with a key from SESSION_SECRET, since it can hold sign-in links. */
export interface MailJob {
  id: string
  kind: string
  to: string
  sealed: string
}
