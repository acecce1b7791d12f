/** Builds the embedded database now (npm start and npm test otherwise do it on first use). */
import { ensureFerretdb, FERRETDB_VERSION } from '../../server/src/db/ferretdb.ts'

const binary = await ensureFerretdb((line) => console.log(line))
console.log(`FerretDB ${FERRETDB_VERSION} is ready: ${binary}`)
