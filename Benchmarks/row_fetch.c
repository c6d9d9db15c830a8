// What one core (and two) of this machine allow for grid mode's memory pattern: sum random 1 KiB rows
// (128 doubles) of a ROWS × 128 matrix on huge pages, each row asked for AHEAD rows before it is added
// (issue #19's "limit that remains", Docs/performance.md). Variants, each over the same 200 000 random
// rows, with a barrier every 200 rows (one grid step's worth) for the two-thread ones:
//   1 thread, full rows;
//   2 threads, column halves, both walking up (the kernel before session 12's last change);
//   2 threads, column halves, block 0 walking down (the kernel now);
//   2 threads, each a half of every step's rows (a row split: not bit-identical to one thread's sums).
// Build and run:  cc -O3 -march=native -pthread Benchmarks/row_fetch.c -o /tmp/row_fetch
//                 /tmp/row_fetch 100000   # 10⁵ rows = 100 MB;  /tmp/row_fetch 1000000  # 1 GB
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

enum { COLS = 128, SAMPLES = 200000, STEP = 200, AHEAD = 4 };
static long rows;
static double *x;
static long *idx;
static atomic_int arrived[SAMPLES / STEP + 1];

typedef struct { int lo, hi, down, rowSplit, part, parts; double seconds, sink; } Job;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

static void *work(void *p) {
    Job *j = p;
    double acc[COLS] = {0};
    double t0 = now();
    for (int s = 0; s < SAMPLES / STEP; s++) {
        if (j->parts > 1) { atomic_fetch_add(&arrived[s], 1); while (atomic_load(&arrived[s]) < j->parts) {} }
        int first = s * STEP, end = first + STEP;
        if (j->rowSplit) { first = s * STEP + j->part * STEP / j->parts; end = s * STEP + (j->part + 1) * STEP / j->parts; }
        for (int i = first; i < end; i++) {
            if (i + AHEAD < end) {
                const double *a = x + idx[i + AHEAD] * COLS;
                if (j->down) for (int k = j->hi - 8; k >= j->lo; k -= 8) __builtin_prefetch(a + k, 0, 3);
                else for (int k = j->lo; k < j->hi; k += 8) __builtin_prefetch(a + k, 0, 3);
            }
            const double *q = x + idx[i] * COLS;
            if (j->down) for (int k = j->hi - 1; k >= j->lo; k--) acc[k] += q[k];
            else for (int k = j->lo; k < j->hi; k++) acc[k] += q[k];
        }
    }
    j->seconds = now() - t0;
    for (int k = 0; k < COLS; k++) j->sink += acc[k];
    return NULL;
}

static void pair(const char *name, Job a, Job b) {
    for (int s = 0; s <= SAMPLES / STEP; s++) atomic_store(&arrived[s], 0);
    pthread_t t;
    pthread_create(&t, NULL, work, &b);
    work(&a);
    pthread_join(t, NULL);
    double wall = a.seconds > b.seconds ? a.seconds : b.seconds;
    printf("%-52s %6.1f ns per row (%.0f)\n", name, 1e9 * wall / SAMPLES, a.sink + b.sink);
}

int main(int argc, char **argv) {
    rows = argc > 1 ? atol(argv[1]) : 100000;
    if (rows < 1 || rows > 100000000) { fprintf(stderr, "usage: row_fetch ROWS (1 … 10^8)\n"); return 2; }
    size_t bytes = ((size_t)rows * COLS * sizeof(double) + (1u << 21) - 1) & ~(size_t)((1u << 21) - 1);
    x = aligned_alloc(1u << 21, bytes);
    idx = malloc(SAMPLES * sizeof(long));
    if (!x || !idx) { fprintf(stderr, "out of memory for %ld rows\n", rows); return 1; }
    madvise(x, bytes, MADV_HUGEPAGE);
    for (long i = 0; i < rows * COLS; i++) x[i] = (double)(i & 7);
    srand(1);
    for (int i = 0; i < SAMPLES; i++) idx[i] = ((long)rand() * RAND_MAX + rand()) % rows;
    Job one = {0, COLS, 0, 0, 0, 1};
    work(&one);  // warm-up (page faults, TLB)
    work(&one);
    printf("%ld rows of 1 KiB (%.0f MB), %d random rows, prefetch %d rows ahead\n", rows, bytes / 1e6, SAMPLES, AHEAD);
    printf("%-52s %6.1f ns per row (%.0f)\n", "1 thread, full rows", 1e9 * one.seconds / SAMPLES, one.sink);
    pair("2 threads, column halves, both walking up", (Job){0, 64, 0, 0, 0, 2}, (Job){64, COLS, 0, 0, 1, 2});
    pair("2 threads, column halves, block 0 walking down", (Job){0, 64, 1, 0, 0, 2}, (Job){64, COLS, 0, 0, 1, 2});
    pair("2 threads, half of each step's rows (row split)", (Job){0, COLS, 0, 1, 0, 2}, (Job){0, COLS, 0, 1, 1, 2});
    return 0;
}
