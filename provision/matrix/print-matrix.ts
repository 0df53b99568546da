// A filled-in Matrix back in the file's own vocabulary (`9p:`, not `ninep`), as YAML or JSON.
// Either output is itself a valid matrix file that loads to the same Matrix.
import { Document, isMap, isSeq } from 'yaml'
import type { z } from 'zod'
import type { CacheMode, MountType, ProtocolVersion, SecurityModel, ShareConfig, SshfsSettings } from '../types.ts'
import type { MatrixInput } from './schema.ts'
import type { Backend, Matrix } from './types.ts'

/** A matrix file's content with nothing left out. */
export interface MatrixDocument {
  backend: Backend
  configs: Array<{
    name: string
    mountType: MountType
    writable: boolean
    mountInotify?: boolean
    '9p'?: { securityModel: SecurityModel; cache: CacheMode; msize: string; protocolVersion: ProtocolVersion }
    virtiofs?: { queueSize: number }
    sshfs?: SshfsSettings
  }>
  suites: string[]
  expect: Array<{ check: string; config: string; reason: string }>
}

function matrixDocument(matrix: Matrix): MatrixDocument {
  const doc: MatrixDocument = {
    backend: matrix.backend,
    configs: matrix.configs.map(configDocument),
    suites: [...matrix.suites],
    expect: matrix.expect.map(({ check, config, reason }) => ({ check, config, reason })),
  }
  // Compile-time guard: what is printed uses the keys the schema reads (suites' names aside).
  return doc satisfies Omit<z.input<typeof MatrixInput>, 'suites'>
}

function configDocument(config: ShareConfig): MatrixDocument['configs'][number] {
  const { name, mountType, writable, mountInotify, ninep, virtiofs, sshfs } = config
  return {
    name, mountType, writable,
    ...(mountInotify === undefined ? {} : { mountInotify }),
    ...(ninep ? { '9p': { securityModel: ninep.securityModel, cache: ninep.cache, msize: ninep.msize, protocolVersion: ninep.protocolVersion } } : {}),
    ...(virtiofs ? { virtiofs: { queueSize: virtiofs.queueSize } } : {}),
    ...(sshfs ? { sshfs: { cache: sshfs.cache, followSymlinks: sshfs.followSymlinks, sftpDriver: sshfs.sftpDriver } } : {}),
  }
}

export function formatMatrix(matrix: Matrix, options: { format: 'yaml' | 'json' }): string {
  const data = matrixDocument(matrix)
  if (options.format === 'json') return `${JSON.stringify(data, null, 2)}\n`
  const doc = new Document(data)
  doc.commentBefore = ` limafs matrix, every default filled in${matrix.file ? `, from ${matrix.file}` : ''}`
  // One line per settings block, suite list and expect entry, as a person would write them.
  const configs = doc.get('configs')
  if (isSeq(configs)) {
    for (const [i, item] of configs.items.entries()) {
      if (!isMap(item)) continue
      if (i > 0) item.spaceBefore = true
      for (const block of ['9p', 'virtiofs', 'sshfs']) {
        const node = item.get(block, true)
        if (isMap(node)) node.flow = true
      }
    }
  }
  const suites = doc.get('suites')
  if (isSeq(suites)) suites.flow = true
  const expect = doc.get('expect')
  if (isSeq(expect)) for (const item of expect.items) if (isMap(item)) item.flow = true
  return doc.toString({ lineWidth: 0 })
}
