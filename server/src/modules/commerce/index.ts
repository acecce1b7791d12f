// The commerce module's face (the composition root runs its repair job).
export { repairLedger } from './ledger.ts'
