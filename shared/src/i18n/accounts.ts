import type { Catalog, Translation } from './catalog.ts'

/** Registration and sign-in. */
export const de = {
  'register.title': 'Registrieren',
  'register.yourSponsor': 'Dein Sponsor',
  'register.noSponsor': 'Du kommst ohne Empfehlung – du wirst direkt dem Unternehmen zugeordnet.',
  'register.role': 'Ich möchte …',
  'register.rolePartner': 'Partner werden (verkaufen und ein Team aufbauen)',
  'register.roleCustomer': 'Kunde werden (Produkte kaufen)',
  'register.email': 'E-Mail',
  'register.password': 'Passwort (mindestens 10 Zeichen)',
  'register.handle': 'Dein Name in der Adresse',
  'register.handleHint': '3–30 Zeichen: a–z, 0–9 und „-“. Deine Profiladresse wird {example}.',
  'register.displayName': 'Anzeigename',
  'register.submit': 'Konto anlegen',
  'register.haveAccount': 'Schon registriert?',
  'login.title': 'Anmelden',
  'login.email': 'E-Mail',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.noAccount': 'Noch kein Konto?',
} as const satisfies Catalog

export const en: Translation<typeof de> = {
  'register.title': 'Sign up',
  'register.yourSponsor': 'Your sponsor',
  'register.noSponsor': 'You arrived without a referral – you will be placed directly under the company.',
  'register.role': 'I want to …',
  'register.rolePartner': 'become a partner (sell and build a team)',
  'register.roleCustomer': 'become a customer (buy products)',
  'register.email': 'Email',
  'register.password': 'Password (at least 10 characters)',
  'register.handle': 'Your name in the address',
  'register.handleHint': '3–30 characters: a–z, 0–9 and "-". Your profile address will be {example}.',
  'register.displayName': 'Display name',
  'register.submit': 'Create account',
  'register.haveAccount': 'Already registered?',
  'login.title': 'Sign in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.noAccount': 'No account yet?',
}
