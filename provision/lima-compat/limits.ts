// Limits the layers below Lima enforce on mount settings. Lima passes these values through
// unchecked (it only checks that msize parses), so a bad value fails late, at mount or QEMU start.

/** The guest kernel refuses a smaller msize with EINVAL (net/9p/client.c: "Please specify a msize of at least 4k"). */
export const MIN_9P_MSIZE = '4KiB'
export const MIN_9P_MSIZE_BYTES = 4096
/** QEMU's vhost-user-fs refuses a queue-size that is not a power of 2 or is above VIRTQUEUE_MAX_SIZE (1024). */
export const MAX_VIRTIOFS_QUEUE_SIZE = 1024
