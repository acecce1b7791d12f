import type { Me } from '@vernetzt/shared/schemas/auth'
import type { Lang } from '$lib/i18n'

declare global {
  namespace App {
    interface Locals {
      user: Me | null
      lang: Lang
      consent: 'all' | 'necessary' | null
    }
    interface Error {
      code?: string
    }
  }
}

export {}
