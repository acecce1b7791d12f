/** Statutory withdrawal period (Widerrufsfrist) for consumers in the EU. */
export const WITHDRAWAL_DAYS = 14

/** The withdrawal period runs from the payment (this shop's contracts are concluded by it). */
export const withdrawalEndOf = (paidAt: Date) => new Date(paidAt.getTime() + WITHDRAWAL_DAYS * 86_400_000)
