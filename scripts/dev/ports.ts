import { createServer } from 'node:net'

/** Resolves when nothing listens on host:port; rejects with a next step otherwise. */
export function assertPortFree(name: string, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', () =>
      reject(
        new Error(
          `Port ${port} (${name}) is already taken on ${host}. Stop whatever uses it ` +
            `(\`lsof -i :${port}\` shows it; an earlier \`./relevo dev\` still running?) and try again.`,
        ),
      ),
    )
    probe.listen(port, host, () => probe.close(() => resolve()))
  })
}
