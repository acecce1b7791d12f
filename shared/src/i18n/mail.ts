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
  'mail.reset.subject': 'Dein neues Passwort',
  'mail.reset.intro': 'jemand – hoffentlich du – möchte das Passwort deines Kontos bei {site} neu setzen. Mit diesem Knopf wählst du ein neues:',
  'mail.reset.action': 'Neues Passwort wählen',
  'mail.reset.expiry': 'Der Link gilt 30 Minuten und nur einmal. Danach bist du auf allen anderen Geräten abgemeldet.',
  'mail.reset.notYou': 'Du warst das nicht? Dann ignoriere diese E-Mail; dein Passwort bleibt, wie es ist.',
  'mail.passwordChanged.subject': 'Dein Passwort wurde geändert',
  'mail.passwordChanged.body': 'das Passwort deines Kontos bei {site} wurde am {when} geändert. Alle anderen Geräte sind abgemeldet.',
  'mail.twoFactorOn.subject': 'Zwei-Faktor-Anmeldung eingeschaltet',
  'mail.twoFactorOn.body':
    'für dein Konto bei {site} wurde am {when} die Zwei-Faktor-Anmeldung eingeschaltet. Ab jetzt fragt die Anmeldung nach dem Code aus deiner Authenticator-App.',
  'mail.twoFactorOff.subject': 'Zwei-Faktor-Anmeldung ausgeschaltet',
  'mail.twoFactorOff.body':
    'für dein Konto bei {site} wurde am {when} die Zwei-Faktor-Anmeldung ausgeschaltet. Die Anmeldung braucht jetzt nur noch dein Passwort.',
  'mail.emailChange.subject': 'Bitte bestätige deine neue E-Mail-Adresse',
  'mail.emailChange.intro':
    'du möchtest dein Konto bei {site} auf diese Adresse umstellen: {email}. Bestätige das mit dem Knopf; bis dahin bleibt alles bei der bisherigen Adresse.',
  'mail.emailChange.action': 'Neue Adresse bestätigen',
  'mail.emailChange.notYou': 'Du hast das nicht angefordert? Dann ignoriere diese E-Mail; ohne Bestätigung ändert sich nichts.',
  'mail.emailChangeAsked.subject': 'Deine E-Mail-Adresse soll geändert werden',
  'mail.emailChangeAsked.body':
    'am {when} wurde für dein Konto bei {site} eine neue Adresse angegeben: {email}. Sobald der Link an diese Adresse geöffnet wird, läuft dein Konto über sie.',
  'mail.emailChangeAsked.notYou':
    'Wenn du das nicht warst, kennt jemand dein Passwort: Setze es sofort über den Knopf neu. Das neue Passwort bricht die Änderung auch ab.',
  'mail.emailChanged.subject': 'Deine E-Mail-Adresse wurde geändert',
  'mail.emailChanged.body': 'dein Konto bei {site} läuft seit {when} über die Adresse {email}. An diese Adresse hier schicken wir nichts mehr.',
  'mail.emailChanged.notYou': 'Wenn du das nicht warst, wende dich sofort an das Team von {site} und leite ihm diese E-Mail weiter.',
  'mail.notice.action': 'Das war ich nicht',
  'mail.notice.notYou': 'Wenn du das nicht warst, setze dein Passwort sofort über den Knopf neu – so sperrst du den Unbekannten wieder aus.',
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
  'mail.reset.subject': 'Your new password',
  'mail.reset.intro': 'someone – hopefully you – wants to set a new password for your {site} account. Choose a new one with this button:',
  'mail.reset.action': 'Choose a new password',
  'mail.reset.expiry': 'The link works once, for 30 minutes. Afterwards you are signed out on every other device.',
  'mail.reset.notYou': 'That was not you? Then ignore this email; your password stays as it is.',
  'mail.passwordChanged.subject': 'Your password was changed',
  'mail.passwordChanged.body': 'the password of your {site} account was changed on {when}. Every other device is signed out.',
  'mail.twoFactorOn.subject': 'Two-factor sign-in turned on',
  'mail.twoFactorOn.body':
    'two-factor sign-in was turned on for your {site} account on {when}. From now on, signing in asks for the code from your authenticator app.',
  'mail.twoFactorOff.subject': 'Two-factor sign-in turned off',
  'mail.twoFactorOff.body': 'two-factor sign-in was turned off for your {site} account on {when}. Signing in now needs only your password.',
  'mail.emailChange.subject': 'Please confirm your new email address',
  'mail.emailChange.intro':
    'you would like your {site} account to use this address: {email}. Confirm it with the button; until then everything stays with the address you have now.',
  'mail.emailChange.action': 'Confirm the new address',
  'mail.emailChange.notYou': 'You did not ask for this? Then ignore this email; without confirmation nothing changes.',
  'mail.emailChangeAsked.subject': 'Your email address is about to change',
  'mail.emailChangeAsked.body':
    'on {when}, a new address was given for your {site} account: {email}. Once the link sent there is opened, your account uses it.',
  'mail.emailChangeAsked.notYou':
    'If that was not you, someone knows your password: set a new one at once with the button. The new password also cancels the change.',
  'mail.emailChanged.subject': 'Your email address was changed',
  'mail.emailChanged.body': 'your {site} account has used the address {email} since {when}. We send nothing more to this address.',
  'mail.emailChanged.notYou': 'If that was not you, contact the {site} team at once and forward this email to them.',
  'mail.notice.action': 'That was not me',
  'mail.notice.notYou': 'If that was not you, set a new password with the button at once – that locks the stranger out again.',
}
