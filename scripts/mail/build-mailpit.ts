/** Builds the development mail server (Mailpit) now (npm start and npm test otherwise do it on first use). */
import { ensureMailpit, MAILPIT_VERSION } from '../../server/src/mail/mailpit.ts'

const binary = await ensureMailpit((line) => console.log(line))
console.log(`Mailpit ${MAILPIT_VERSION} is ready: ${binary}`)
