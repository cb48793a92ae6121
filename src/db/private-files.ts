// Files that hold personal data are the owner's alone: folders 0700, files 0600, created so and tightened if found otherwise.
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'

/**
 * Creates `dir` (0700) if missing, tightens everything already in it (folders 0700, files 0600) and
 * makes this process create files for the owner only from now on (umask 077): the embedded
 * database writes its own files, WAL included, and holders' names are in them in clear text.
 */
export async function makePrivateDirectory (dir: string): Promise<void> {
  process.umask(0o077)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await tighten(dir)
}

async function tighten (target: string): Promise<void> {
  const info = await lstat(target)
  if (info.isSymbolicLink()) return
  if (info.isDirectory()) {
    if ((info.mode & 0o777) !== 0o700) await chmod(target, 0o700)
    for (const entry of await readdir(target)) await tighten(path.join(target, entry))
  } else if ((info.mode & 0o777 & ~0o600) !== 0) {
    await chmod(target, info.mode & 0o600)
  }
}
