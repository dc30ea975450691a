/*
 * unlinker.h - unlink files in the background, several at a time.
 * Rule: a path is handed over only when its file may go (its archive
 * member is durable); the caller waits for the unlinker before it
 * removes their directory, and a process killed meanwhile leaves some of
 * them in place, never loses one that was not handed over.
 */
#ifndef CO_UNLINKER_H
#define CO_UNLINKER_H

struct unlinker;

/* Start the threads; NULL with errno when they cannot start. */
struct unlinker *unlinker_new(void);

/* Queue root/dir/name for unlinking; waits while the queue is full. */
void	 unlinker_add(struct unlinker *, const char *, const char *,
	    const char *);

/*
 * Wait until every queued file is unlinked.  The number that could not
 * be (each warned about once), since the last call.
 */
unsigned long unlinker_wait(struct unlinker *);

/* unlinker_wait, then stop the threads and free. */
unsigned long unlinker_free(struct unlinker *);

#endif
