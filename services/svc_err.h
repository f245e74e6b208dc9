/*
 * svc_err.h - the one set of error codes returned by every service
 * (fs, sem, shm, ramdisk).  Success is 0 or a non-negative value; failure is
 * one of these negative codes.  Values follow Linux errno numbers where one
 * exists, so a trace is easy to read; SVC_EWOULDBLOCK is distinct from
 * SVC_EAGAIN on purpose (see below).
 *
 * Linked into: everything that hosts a service (mono kernel, micro servers,
 * host unit tests).  Header only.
 */
#ifndef SVC_ERR_H
#define SVC_ERR_H

enum svc_err {
    SVC_OK = 0,
    SVC_EPERM = -1,          /* caller is not the owner */
    SVC_ENOENT = -2,         /* no such file, semaphore or segment */
    SVC_EIO = -5,            /* the block device failed */
    SVC_EBADF = -9,          /* bad handle, other owner's handle, wrong mode */
    SVC_EAGAIN = -11,        /* try again: nothing was queued or changed */
    SVC_EFAULT = -14,        /* a caller's buffer is not readable/writable (hosting) */
    SVC_ENOMEM = -12,        /* the hosting's page allocator is empty */
    SVC_EBUSY = -16,         /* in use (open file, semaphore with waiters) */
    SVC_EEXIST = -17,        /* name or key already exists */
    SVC_EINVAL = -22,        /* bad argument */
    SVC_EMFILE = -24,        /* open-file table full */
    SVC_ENOSPC = -28,        /* disk, file size limit or fixed table full */
    SVC_ENAMETOOLONG = -36,  /* file name longer than FS_NAME_MAX */
    SVC_EOVERFLOW = -75,     /* a counter would overflow */
    SVC_EDQUOT = -122,       /* the caller's process tree holds its share (svc_share.h) */
    SVC_ECORRUPT = -117,     /* on-disk structures are inconsistent (EUCLEAN) */
    SVC_EWOULDBLOCK = -140,  /* caller WAS queued: the hosting must block it */
};

/* svc_strerror: a constant name for an error code ("SVC_ENOENT"), or
 * "SVC_E?" for a value that is not one. Never NULL. */
static inline const char *svc_strerror(int err)
{
    switch (err) {
    case SVC_OK: return "SVC_OK";
    case SVC_EPERM: return "SVC_EPERM";
    case SVC_ENOENT: return "SVC_ENOENT";
    case SVC_EIO: return "SVC_EIO";
    case SVC_EBADF: return "SVC_EBADF";
    case SVC_EAGAIN: return "SVC_EAGAIN";
    case SVC_EFAULT: return "SVC_EFAULT";
    case SVC_ENOMEM: return "SVC_ENOMEM";
    case SVC_EBUSY: return "SVC_EBUSY";
    case SVC_EEXIST: return "SVC_EEXIST";
    case SVC_EINVAL: return "SVC_EINVAL";
    case SVC_EMFILE: return "SVC_EMFILE";
    case SVC_ENOSPC: return "SVC_ENOSPC";
    case SVC_ENAMETOOLONG: return "SVC_ENAMETOOLONG";
    case SVC_EOVERFLOW: return "SVC_EOVERFLOW";
    case SVC_ECORRUPT: return "SVC_ECORRUPT";
    case SVC_EDQUOT: return "SVC_EDQUOT";
    case SVC_EWOULDBLOCK: return "SVC_EWOULDBLOCK";
    default: return "SVC_E?";
    }
}

#endif
