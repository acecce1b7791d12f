/** One column of a ColumnChart (a period of a time series). */
export interface Column {
  /** Short label under the column ("Mär"). */
  label: string
  /** Full label for the tooltip and the table ("März 2026"). */
  longLabel: string
  value: number
  /** The value as shown ("12,34 €"). */
  display: string
  /** Drawn paler (e.g. an open, not yet final month). */
  muted?: boolean
}

/** One row of a BarList. */
export interface Bar {
  label: string
  value: number
  display: string
}
