// likwid_threads N: starts N-1 threads one after another and prints, for thread i (0 is the main
// thread), "i PU PU ...": the PUs it may run on. likwid-pin pins a program's threads in the order
// they are created, the main thread first.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static sem_t go;

static void report(int i) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) exit(1);
  printf("%d", i);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) printf(" %d", c);
  printf("\n");
  fflush(stdout);
}
static void* thread(void* arg) {
  sem_wait(&go);  // pthread_create has returned: likwid-pin has pinned this thread.
  report((int)(long)arg);
  return NULL;
}
int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1;
  sem_init(&go, 0, 0);
  for (long i = 1; i < n; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, thread, (void*)i) != 0) return 1;
    sem_post(&go);
    pthread_join(t, NULL);
  }
  report(0);  // likwid-pin's wrapper pins the main thread at its first pthread_create.
  return 0;
}
