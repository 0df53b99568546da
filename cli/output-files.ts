// The files a report command writes into an output dir, written so that readers (a CI upload,
// a watching gate) never see half a file.
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const RESULTS_FILE = 'results.json'
export const HTML_FILE = 'report.html'

/** Writes each [name, text] into outDir; returns the paths written. */
export async function writeOutputs(outDir: string, outputs: ReadonlyArray<[string, string]>): Promise<string[]> {
  const files: string[] = []
  for (const [name, text] of outputs) {
    const path = join(outDir, name)
    await writeAtomically(path, text)
    files.push(path)
  }
  return files
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, text)
  await rename(temp, path)
}
