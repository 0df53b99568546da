// Messages between the agent and its worker processes (child_process IPC). The agent itself
// never touches the share: every file system call runs in a worker it can abandon and kill.

export interface OpRequest {
  id: number
  op: string
  args: unknown[]
}

export type OpResult =
  | { ok: true; value?: unknown }
  | { ok: false; errno: string; message: string }

export interface OpReply {
  id: number
  result: OpResult
}

/** Sent once after fork: where the worker may act, and which helpers the guest has. */
export interface WorkerInit {
  init: true
  /** Mount paths whose direct `.limafs-*` children the worker may create, list and remove. */
  mountPaths: string[]
  /** How xattrs, fifos and device nodes are made: python3 (started at once), the tools, or none. */
  xattrTool: 'python3' | 'tools' | 'none'
}

/** The stat fields the agent compares. mode is the permission bits as 4 octal digits ("0644"). */
export interface StatFields {
  uid: number
  gid: number
  mode: string
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block' | 'other'
  size: number
  nlink: number
  ino: number
}
