export const CONSENT_COOKIE = 'vz_consent'
export const LANG_COOKIE = 'vz_lang'
export const REF_COOKIE = 'vz_ref'
export const REF_DAYS = 30
