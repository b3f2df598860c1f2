/*
 * The cores' own float32 multiply-accumulate rate, the ceiling for `aligndet bench inference`'s
 * GMAC/s figures: each thread runs 12 independent chains of 16-lane AVX-512 FMAs (enough to hide
 * the FMA latency on two pipes), nothing but registers.
 *
 *   gcc -O2 -mavx512f -mfma -pthread tools/bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
 *
 * Prints GMAC/s for the given number of threads (default 1). Needs a CPU with AVX-512F.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
#define STEPS 100000000L /* FMAs per chain */

static void *chains(void *arg) {
    float seed = *(float *) arg;
    __m512 acc[CHAINS];
    for (int c = 0; c < CHAINS; c++) {
        acc[c] = _mm512_set1_ps(seed + c); /* distinct values: the compiler cannot merge the chains */
    }
    const __m512 scale = _mm512_set1_ps(0.9999999f), step = _mm512_set1_ps(1e-7f);
    for (long i = 0; i < STEPS; i++) {
#pragma GCC unroll 12
        for (int c = 0; c < CHAINS; c++) { /* unrolled: the chains stay in registers */
            acc[c] = _mm512_fmadd_ps(acc[c], scale, step);
        }
    }
    __m512 sum = acc[0];
    for (int c = 1; c < CHAINS; c++) {
        sum = _mm512_add_ps(sum, acc[c]);
    }
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    *(float *) arg = lanes[0]; /* the result is used: the loop cannot be dropped */
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "threads must be in [1, 256], got %s\n", argv[1]);
        return 2;
    }
    pthread_t *t = malloc(sizeof(pthread_t) * threads);
    float *seeds = malloc(sizeof(float) * threads);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < threads; i++) {
        seeds[i] = 1.0f + i;
        pthread_create(&t[i], NULL, chains, &seeds[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    double macs = (double) threads * STEPS * CHAINS * 16;
    printf("threads %d: %.3f s, %.1f GMAC/s (check %g)\n", threads, s, macs / s / 1e9, seeds[0]);
    free(t);
    free(seeds);
    return 0;
}
