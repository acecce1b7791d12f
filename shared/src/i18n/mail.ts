import type { Catalog, Translation } from './catalog.ts'

/** The mails Vernetzt sends (server/src/mail, and the modules that queue them). */
export const de = {
  'mail.greeting': 'Hallo {name},',
  'mail.signature': 'Dein Team von {site}',
  'mail.linkFallback': 'Falls der Knopf nicht geht, kopiere diese Adresse in deinen Browser:',
  'mail.why': 'Du bekommst diese E-Mail, weil es mit dieser Adresse ein Konto bei {site} gibt.',
  'mail.verify.subject': 'Bitte bestätige deine E-Mail-Adresse',
  'mail.verify.intro':
    'willkommen bei {site}! Bitte bestätige, dass diese Adresse dir gehört – dann können wir dich erreichen, wenn du dein Passwort vergisst oder jemand dir schreibt.',
  'mail.verify.action': 'E-Mail-Adresse bestätigen',
  'mail.verify.expiry': 'Der Link gilt drei Tage und nur einmal.',
  'mail.verify.notYou': 'Du hast dich nicht angemeldet? Dann ignoriere diese E-Mail einfach; ohne Bestätigung schreiben wir dir nichts weiter.',
} as const satisfies Catalog

export const en: Translation<typeof de> = {
  'mail.greeting': 'Hello {name},',
  'mail.signature': 'Your {site} team',
  'mail.linkFallback': 'If the button does not work, copy this address into your browser:',
  'mail.why': 'You are receiving this email because there is a {site} account with this address.',
  'mail.verify.subject': 'Please confirm your email address',
  'mail.verify.intro':
    'welcome to {site}! Please confirm that this address is yours – so we can reach you if you forget your password or someone writes to you.',
  'mail.verify.action': 'Confirm email address',
  'mail.verify.expiry': 'The link works once, for three days.',
  'mail.verify.notYou': 'You did not sign up? Then simply ignore this email; without confirmation we will not write to you again.',
}
