/*
 * unlinker.c - unlink files in the background, several at a time.  On a
 * filesystem that discards a file's blocks as it frees them (ext4 mounted
 * with discard) an unlink waits for the device: 0.5 to 2 ms on the VM of
 * co-drain(1)'s figures, twenty to seventy renames.  NTHREADS threads
 * overlap those waits with each other and with the caller's work.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "unlinker.h"

#define NTHREADS	8
#define QMAX		4096	/* paths queued at most: memory stays small */

struct unlinker {
	pthread_mutex_t mu;
	pthread_cond_t	 more, room, idle;
	char	*q[QMAX];		/* a ring: head, then n paths */
	size_t	 head, n;
	int	 busy;			/* threads inside unlink(2) */
	int	 stop;
	int	 nth;
	unsigned long failed;
	pthread_t th[NTHREADS];
};

static void *
work(void *arg)
{
	struct unlinker *u = arg;
	char *path;

	pthread_mutex_lock(&u->mu);
	for (;;) {
		while (u->n == 0 && !u->stop)
			pthread_cond_wait(&u->more, &u->mu);
		if (u->n == 0)
			break;
		path = u->q[u->head];
		u->head = (u->head + 1) % QMAX;
		u->n--;
		u->busy++;
		pthread_cond_signal(&u->room);
		pthread_mutex_unlock(&u->mu);
		if (unlink(path) == -1 && errno != ENOENT) {
			warn("%s", path);
			pthread_mutex_lock(&u->mu);
			u->failed++;
		} else
			pthread_mutex_lock(&u->mu);
		free(path);
		if (--u->busy == 0 && u->n == 0)
			pthread_cond_broadcast(&u->idle);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

struct unlinker *
unlinker_new(void)
{
	struct unlinker *u;
	sigset_t all, old;
	int e = 0;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->more, NULL);
	pthread_cond_init(&u->room, NULL);
	pthread_cond_init(&u->idle, NULL);
	/* Signals (the worker's SIGALRM) stay the calling thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (u->nth = 0; u->nth < NTHREADS; u->nth++)
		if ((e = pthread_create(&u->th[u->nth], NULL, work, u)) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (u->nth == 0) {
		free(u);
		errno = e;
		return NULL;
	}
	return u;
}

void
unlinker_add(struct unlinker *u, const char *root, const char *dir,
    const char *name)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
	if ((p = strdup(path)) == NULL)
		err(EX_OSERR, "strdup");
	pthread_mutex_lock(&u->mu);
	while (u->n == QMAX)
		pthread_cond_wait(&u->room, &u->mu);
	u->q[(u->head + u->n++) % QMAX] = p;
	pthread_cond_signal(&u->more);
	pthread_mutex_unlock(&u->mu);
}

unsigned long
unlinker_wait(struct unlinker *u)
{
	unsigned long f;

	pthread_mutex_lock(&u->mu);
	while (u->n > 0 || u->busy > 0)
		pthread_cond_wait(&u->idle, &u->mu);
	f = u->failed;
	u->failed = 0;
	pthread_mutex_unlock(&u->mu);
	return f;
}

unsigned long
unlinker_free(struct unlinker *u)
{
	unsigned long f;
	int i;

	if (u == NULL)
		return 0;
	f = unlinker_wait(u);
	pthread_mutex_lock(&u->mu);
	u->stop = 1;
	pthread_cond_broadcast(&u->more);
	pthread_mutex_unlock(&u->mu);
	for (i = 0; i < u->nth; i++)
		pthread_join(u->th[i], NULL);
	pthread_mutex_destroy(&u->mu);
	pthread_cond_destroy(&u->more);
	pthread_cond_destroy(&u->room);
	pthread_cond_destroy(&u->idle);
	free(u);
	return f;
}
