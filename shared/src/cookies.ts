/** The cookies the web app sets, by name: the server's page cache keys on the first two. */
export const CONSENT_COOKIE = 'vz_consent'
export const LANG_COOKIE = 'vz_lang'
export const REF_COOKIE = 'vz_ref'
