// The tree a user has on a share before switching its model: what root makes through the
// source configuration (owners, modes with setuid/setgid, dirs, symlinks to a file, a dir and
// nowhere, a fifo, a socket, a device node, hard links, a user.* xattr, a dot-file), and the
// properties a switch must keep, as `cp -a` keeps them on a local file system.
import type { Arg } from '../../agent/check-api.ts'
import { property, type Look, type Property } from './look.ts'

/** The tree's dir in the suite's dir on each sibling share. */
export const TREE_DIR = 'tree'
const OTHER = [1234, 5678] as const
const hex = (text: string) => Buffer.from(text).toString('hex')

/** One object of the tree: the steps that make it (as root), and the properties looked at. */
export interface TreeObject {
  /** The point's object part, "migrate/to-<b>/<object>/<property>". */
  object: string
  /** Its name in the tree. */
  name: string
  title: string
  /** tree-make steps, paths relative to the tree dir; the first one makes the object. */
  steps: Arg[][]
  properties: readonly Property[]
}

export const TREE: readonly TreeObject[] = [
  {
    object: 'file', name: 'file', title: 'a file (owner 1234:5678, mode 0640, content, a user.* xattr)',
    steps: [['write', 'file', hex('limafs-migrate\n'), 0o644], ['chown', 'file', ...OTHER], ['chmod', 'file', 0o640], ['setxattr', 'file', 'user.limafs.migrate', hex('kept')]],
    properties: ['type', 'owner', 'mode', 'content', 'xattrs'],
  },
  {
    object: 'setuid', name: 'setuid', title: 'a setuid root file (0:0, mode 4755)',
    steps: [['write', 'setuid', hex('#!/bin/sh\n'), 0o644], ['chown', 'setuid', 0, 0], ['chmod', 'setuid', 0o4755]],
    properties: ['owner', 'mode'],
  },
  {
    object: 'setgid-dir', name: 'setgid-dir', title: 'a setgid dir (1234:5678, mode 2775)',
    steps: [['mkdir', 'setgid-dir', 0o755], ['chown', 'setgid-dir', ...OTHER], ['chmod', 'setgid-dir', 0o2775]],
    properties: ['owner', 'mode'],
  },
  {
    object: 'dir', name: 'dir', title: 'a dir with a file in it (1234:5678, mode 0750)',
    steps: [['mkdir', 'dir', 0o755], ['write', 'dir/inner', hex('inner\n'), 0o644], ['chown', 'dir', ...OTHER], ['chmod', 'dir', 0o750]],
    properties: ['type', 'owner', 'mode', 'entries'],
  },
  {
    object: 'symlink', name: 'symlink', title: 'a symlink to the file (chown -h 1234:5678)',
    steps: [['symlink', 'symlink', 'file'], ['chown', 'symlink', ...OTHER]],
    properties: ['type', 'target', 'owner'],
  },
  { object: 'symlink-dir', name: 'symlink-dir', title: 'a symlink to the dir', steps: [['symlink', 'symlink-dir', 'dir']], properties: ['type', 'target'] },
  { object: 'symlink-dangling', name: 'symlink-dangling', title: 'a dangling symlink', steps: [['symlink', 'symlink-dangling', 'no-such-target']], properties: ['type', 'target'] },
  { object: 'fifo', name: 'fifo', title: 'a FIFO (mode 0640)', steps: [['mkfifo', 'fifo', 0o640], ['chmod', 'fifo', 0o640]], properties: ['type', 'mode'] },
  { object: 'socket', name: 'socket', title: 'a socket node', steps: [['mknod', 'socket', 0o644, 's', 0, 0]], properties: ['type'] },
  { object: 'device', name: 'device', title: 'a character device node (1:3, mode 0640)', steps: [['mknod', 'device', 0o640, 'c', 1, 3], ['chmod', 'device', 0o640]], properties: ['type', 'rdev'] },
  {
    object: 'hardlink', name: 'hardlink', title: 'two hard links to one file',
    steps: [['write', 'hardlink', hex('linked\n'), 0o644], ['link', 'hardlink-twin', 'hardlink']],
    properties: ['same-file'],
  },
  { object: 'dotfile', name: '.dotfile', title: 'a file whose name starts with a dot', steps: [['write', '.dotfile', hex('dot\n'), 0o644]], properties: ['type', 'content'] },
]

/**
 * What a look reads: the tree's and planted dir's listings, the dir's, and the xattrs and content
 * of the entries that have them (each more is a round trip per entry and view).
 */
export const TREE_WANTS = { xattrs: [`${TREE_DIR}/file`], content: [`${TREE_DIR}/file`, `${TREE_DIR}/.dotfile`], descend: [TREE_DIR, `${TREE_DIR}/dir`, 'planted'] }

/** The tree-level point: the tree's own listing (ls -a), what a switch adds to or hides from it. */
export const TREE_LISTING = { object: 'tree', property: 'entries' as const, title: 'the tree\'s listing (ls -a): no name added (bookkeeping) or lost' }

/** Every tree-make step, relative to the suite's sibling dir: the tree dir first. */
export function treeSteps(): Arg[][] {
  return [['mkdir', TREE_DIR, 0o755], ...TREE.flatMap((o) => o.steps.map(([op, rel, ...args]) => [op!, `${TREE_DIR}/${String(rel)}`, ...args]))]
}

/** An object's value for a property in one look at the tree. */
export function treeValue(look: Look, o: TreeObject, p: Property): string {
  return property(look, `${TREE_DIR}/${o.name}`, p, o.name === 'hardlink' ? `${TREE_DIR}/hardlink-twin` : undefined)
}
